import { afterEach, describe, expect, it } from "vitest";

import { ApiError } from "../api";
import { setLocale, t } from "../i18n";
import { errorText, runtimeText } from "./messages";

afterEach(() => setLocale("en"));

describe("errorText", () => {
  it.each([
    ["NoGameFolder", "No game folder is chosen yet. Choose one in Settings."],
    ["Starting", "Lanparty is starting. Try again in a moment."],
    ["Stopped", "Lanparty stopped before this was done (it is closing or restarting). Try again in a moment."],
  ])("says %s in the UI's words, not the runtime's", (kind, text) => {
    expect(errorText(new ApiError(kind, "the runtime is starting"), t)).toBe(text);
    expect(errorText({ kind, message: "the runtime is starting" }, t)).toBe(text);
  });

  it("keeps the runtime's message where it names what went wrong", () => {
    const error = new ApiError("Install", "not enough space on D: free 3 GiB");
    expect(errorText(error, t)).toBe("not enough space on D: free 3 GiB");
    expect(errorText(new Error("boom"), t)).toBe("boom");
  });

  it("follows the locale", () => {
    setLocale("de");
    expect(errorText(new ApiError("Starting", "starting"), t)).toBe(
      "Lanparty startet gerade. Versuche es gleich noch einmal.",
    );
  });
});

describe("runtimeText", () => {
  it("says starting and stopped in the UI's words, whatever the runtime sent", () => {
    expect(runtimeText({ state: "starting", message: "starting the runtime" }, t)).toBe("Lanparty is starting…");
    expect(runtimeText({ state: "stopped", message: "the app is closing" }, t)).toBe(
      "Lanparty has stopped. Restart the app.",
    );
  });

  it("names the reason of a failure after a translated lead", () => {
    const failed = { state: "failed" as const, message: "/games is not writable: choose another folder" };
    expect(runtimeText(failed, t)).toBe("Lanparty could not start: /games is not writable: choose another folder");
    setLocale("de");
    expect(runtimeText(failed, t)).toBe(
      "Lanparty konnte nicht starten: /games is not writable: choose another folder",
    );
  });

  it("still says something when a failure has no reason", () => {
    expect(runtimeText({ state: "failed", message: null }, t)).toBe("Lanparty could not start.");
    expect(runtimeText({ state: "failed", message: "  " }, t)).toBe("Lanparty could not start.");
  });
});
