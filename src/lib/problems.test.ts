import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { afterEach, describe, expect, it } from "vitest";

import { ApiError, type RuntimeEvent } from "../api";
import { dictionaries, setLocale, t } from "../i18n";
import { errorText } from "./messages";
import { noticeFor } from "./notices";
import { problemKey, problemText } from "./problems";

afterEach(() => setLocale("en"));

const titles: Record<string, string> = { openarena: "OpenArena", quake: "Quake" };
const titleOf = (game: string) => titles[game] ?? game;

/** Every code the Rust side can send, read from the files that make them. */
function rustCodes(): string[] {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const read = (path: string) => readFileSync(resolve(root, path), "utf8");
  const made = [
    "crates/lanparty-core/src/problem.rs",
    "crates/lanparty-core/src/settings.rs",
    "src-tauri/src/error.rs",
    "src-tauri/src/host.rs",
  ].flatMap((path) => [...read(path).matchAll(/\b(?:p|Problem::new)\("([a-z][a-z0-9.-]*)"\)/g)].map((m) => m[1] ?? ""));
  // The sidecar's refusals arrive as `unpack.<its code>`, its codes listed in `fn code`.
  const sidecar = read("sidecars/unrar/src/error.rs");
  const body = sidecar.slice(sidecar.indexOf("pub fn code(&self)"));
  const refusals = [...body.slice(0, body.indexOf("\n    }\n")).matchAll(/=> "([a-z_]+)"/g)].map((m) => `unpack.${m[1] ?? ""}`);
  return [...new Set([...made, ...refusals])].sort();
}

describe("problem codes", () => {
  it("are read from the Rust sources", () => {
    const codes = rustCodes();
    expect(codes).toContain("download.no-space");
    expect(codes).toContain("unpack.password");
    expect(codes.length).toBeGreaterThan(60);
  });

  it("all have words in the UI, each a key of its own but the sidecar's rarer refusals", () => {
    // Refusals that say nothing more than "could not be unpacked" and the sidecar's message.
    const generic = new Set([
      "unpack.usage",
      "unpack.unreadable",
      "unpack.not_rar",
      "unpack.not_first_volume",
      "unpack.recovery_volume",
      "unpack.given_twice",
      "unpack.no_archives",
      "unpack.destination",
      "unpack.exists",
      "unpack.internal",
    ]);
    for (const code of rustCodes()) {
      const expected = generic.has(code) ? "problem.unpack" : `problem.${code}`;
      expect({ code, key: problemKey(code) }).toEqual({ code, key: expected });
    }
  });

  it("have no words the runtime never sends", () => {
    const sent = new Set(rustCodes().map((code) => `problem.${code}`));
    const stale = Object.keys(dictionaries.en).filter(
      (key) => key.startsWith("problem.") && key !== "problem.unpack" && !sent.has(key),
    );
    expect(stale).toEqual([]);
  });
});

describe("problemText", () => {
  const noSpace = {
    code: "download.no-space",
    args: { game: "openarena", version: "0.8.8", dir: "/games", need: "1.1 GiB", have: "300 MiB" },
  };

  it("words a problem with the game's title, in the locale", () => {
    expect(problemText(noSpace, t, titleOf)).toBe(
      "Not enough free space in /games for OpenArena 0.8.8: it needs 1.1 GiB, and 300 MiB are free. Free some space or choose another game folder in Settings.",
    );
    setLocale("de");
    expect(problemText(noSpace, t, titleOf)).toBe(
      "In /games ist nicht genug Platz für OpenArena 0.8.8: Gebraucht werden 1.1 GiB, frei sind 300 MiB. Schaffe Platz oder wähle in den Einstellungen einen anderen Spieleordner.",
    );
  });

  it("names what keeps a game busy in the UI's words", () => {
    const busy = { code: "download.busy", args: { game: "quake", what: "update-install" } };
    expect(problemText(busy, t, titleOf)).toBe("Quake is busy (installing an update). Wait for it to finish or cancel it.");
    const unknown = { code: "download.busy", args: { game: "quake", what: "defrag" } };
    expect(problemText(unknown, t, titleOf)).toBe("Quake is busy (defrag). Wait for it to finish or cancel it.");
  });

  it("words any unpacker refusal, keeping the sidecar's message that names the archive", () => {
    const corrupt = { code: "unpack.corrupt", args: { game: "quake", message: "quake.part2.rar: bad CRC in maps/e1m1.bsp" } };
    expect(problemText(corrupt, t, titleOf)).toBe(
      "Quake could not be unpacked: an archive is damaged (quake.part2.rar: bad CRC in maps/e1m1.bsp). Remove its files and download it again.",
    );
    const future = { code: "unpack.something_new", args: { game: "quake", message: "a new refusal" } };
    expect(problemText(future, t, titleOf)).toBe("Quake could not be unpacked: a new refusal");
  });

  it("gives up, for the runtime's English, on an unknown code or missing fields", () => {
    expect(problemText({ code: "download.teleported", args: {} }, t, titleOf)).toBeNull();
    expect(problemText({ code: "download.no-space", args: { game: "quake" } }, t, titleOf)).toBeNull();
    expect(problemText(null, t, titleOf)).toBeNull();
  });
});

describe("errors and notices with a problem", () => {
  it("errorText prefers the problem's words and keeps the message for the rest", () => {
    const problem = { code: "download.no-source", args: { game: "openarena" } };
    const error = { kind: "Download", message: "no connected peer has openarena: …", problem };
    setLocale("de");
    expect(errorText(error, t, titleOf)).toBe(
      "Kein verbundener Peer hat OpenArena. Warte auf einen Peer, der es hat, oder füge unter Peers einen per Adresse hinzu.",
    );
    expect(errorText(new ApiError("Download", "in English"), t, titleOf)).toBe("in English");
    const odd = new ApiError("Download", "in English", { code: "download.teleported", args: {} });
    expect(errorText(odd, t, titleOf)).toBe("in English");
  });

  it("a failed download says to download again only once", () => {
    const failed = (code: string, args: Record<string, string>): RuntimeEvent => ({
      type: "download-failed",
      game: "quake",
      reason: "english",
      problem: { code, args },
      resumable: true,
    });
    const full = noticeFor(
      failed("download.disk-full", { game: "quake", version: "1", dir: "/g", left: "1 GiB" }),
      titleOf,
      t,
    );
    expect(full?.message).toBe(
      "The disk holding /g is full, with 1 GiB of Quake 1 still to write. Free some space, then download again to continue where it stopped.",
    );
    const io = noticeFor(failed("download.io", { game: "quake", path: "/g/quake/a.rar", detail: "EIO" }), titleOf, t);
    expect(io?.message).toBe("Quake cannot be written to /g/quake/a.rar: EIO\nDownload again to continue where it stopped.");
  });

  it("a failed install is worded from its problem", () => {
    const event: RuntimeEvent = {
      type: "install-failed",
      game: "quake",
      reason: "cannot unpack quake: a password",
      problem: { code: "unpack.password", args: { game: "quake", message: "quake.rar is encrypted" } },
    };
    setLocale("de");
    expect(noticeFor(event, titleOf, t)).toEqual({
      tone: "error",
      title: "Installation von Quake fehlgeschlagen",
      message:
        "Quake konnte nicht entpackt werden: Seine Archive sind passwortgeschützt, und Lanparty installiert nur offene Archive. (quake.rar is encrypted)",
    });
  });
});
