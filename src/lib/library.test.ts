import { describe, expect, it } from "vitest";

import type { RuntimeEvent } from "../api";
import { game, localGame } from "../test/fixtures";
import { emptyLibrary, type LibraryState, reduce, withSnapshot } from "./library";

const copy = { peer_id: "p1", name: "Anna", version: "2.0", manifest_hash: "ab", size: 10 };

function run(state: LibraryState, ...events: RuntimeEvent[]): LibraryState {
  return events.reduce(reduce, state);
}

const start = withSnapshot(emptyLibrary, {
  available: true,
  games: [game({ id: "ut", peers: 1, copies: [copy] }), localGame({ id: "q3" })],
});

describe("the library reducer", () => {
  it("loads a snapshot", () => {
    expect(start.loaded).toBe(true);
    expect(Object.keys(start.games)).toEqual(["ut", "q3"]);
  });

  it("follows a download from start through progress to its end", () => {
    const started = run(start, {
      type: "download-started",
      game: "ut",
      version: "2.0",
      update: false,
      bytes_total: 1000,
      bytes_done: 100,
      peers: 1,
    });
    expect(started.activity.ut).toMatchObject({ kind: "downloading", bytesDone: 100, etaS: null });

    const progressed = run(started, {
      type: "download-progress",
      game: "ut",
      version: "2.0",
      bytes_done: 500,
      bytes_total: 1000,
      bytes_per_s: 250,
      eta_s: 2,
      peers: [{ peer_id: "p1", name: "Anna", bytes_per_s: 250 }],
    });
    expect(progressed.activity.ut).toEqual({
      kind: "downloading",
      update: false,
      version: "2.0",
      bytesDone: 500,
      bytesTotal: 1000,
      bytesPerS: 250,
      etaS: 2,
      peers: [{ peer_id: "p1", name: "Anna", bytes_per_s: 250 }],
    });

    for (const end of [
      { type: "download-failed", game: "ut", reason: "no peer", resumable: true },
      { type: "download-cancelled", game: "ut" },
    ] as RuntimeEvent[]) {
      expect(run(progressed, end).activity.ut).toBeUndefined();
    }
  });

  it("keeps several downloads apart", () => {
    const both = run(
      start,
      { type: "download-started", game: "ut", version: "1", update: false, bytes_total: 10, bytes_done: 0, peers: 1 },
      { type: "download-started", game: "q3", version: "2", update: true, bytes_total: 20, bytes_done: 0, peers: 1 },
      { type: "download-cancelled", game: "ut" },
    );
    expect(Object.keys(both.activity)).toEqual(["q3"]);
    expect(both.activity.q3).toMatchObject({ update: true, bytesTotal: 20 });
  });

  it("follows an install and is not ended by a stray download event", () => {
    const installing = run(
      start,
      { type: "install-started", game: "q3", update: false },
      { type: "install-progress", game: "q3", bytes_done: 5, bytes_total: 50 },
      { type: "download-cancelled", game: "q3" },
    );
    expect(installing.activity.q3).toEqual({
      kind: "installing",
      update: false,
      bytesDone: 5,
      bytesTotal: 50,
    });
    expect(run(installing, { type: "install-finished", game: "q3", update: false, seconds: 1 }).activity)
      .toEqual({});
    expect(run(installing, { type: "install-failed", game: "q3", reason: "disk full" }).activity).toEqual({});
    expect(run(installing, { type: "install-cancelled", game: "q3", update: false }).activity).toEqual({});
  });

  it("merges games-changed by id and drops removed games", () => {
    const next = run(start, {
      type: "games-changed",
      games: [game({ id: "ut", peers: 3 }), game({ id: "new" })],
      removed: ["q3"],
    });
    expect(Object.keys(next.games).sort()).toEqual(["new", "ut"]);
    expect(next.games.ut?.peers).toBe(3);
  });

  it("takes library-changed as the local side and keeps what peers have", () => {
    const next = run(start, {
      type: "library-changed",
      games: [localGame({ id: "ut", version: "1.0" })],
      removed: [],
    });
    expect(next.games.ut).toMatchObject({ downloaded: true, peers: 1, copies: [copy] });
  });

  it("keeps a game removed here as not on this PC while a peer has it", () => {
    const withCopy = run(start, {
      type: "games-changed",
      games: [localGame({ id: "q3", peers: 1, copies: [copy] })],
      removed: [],
    });
    const next = run(withCopy, { type: "library-changed", games: [], removed: ["q3", "ut", "gone"] });
    expect(next.games.q3).toMatchObject({ downloaded: false, installed: false, version: null, peers: 1 });
    expect(next.games.ut).toBeDefined();
    const alone = run(start, { type: "library-changed", games: [], removed: ["q3"] });
    expect(alone.games.q3).toBeUndefined();
  });

  it("tracks hashing during a scan and the folder's availability", () => {
    const hashing = run(start, { type: "hash-progress", game: "q3", bytes_done: 1, bytes_total: 4 });
    expect(hashing.scan).toEqual({ game: "q3", bytesDone: 1, bytesTotal: 4 });
    const done = run(hashing, {
      type: "scan-finished",
      full: true,
      available: true,
      roots: 1,
      files: 1,
      hashed_files: 1,
      hashed_bytes: 4,
      ms: 1,
    });
    expect(done.scan).toBeNull();
    const gone = run(start, { type: "library-unavailable", games_dir: "/g", reason: "unplugged" });
    expect([gone.available, gone.reason]).toEqual([false, "unplugged"]);
    expect(run(gone, { type: "library-available", games_dir: "/g" }).available).toBe(true);
  });

  it("returns the same state for events it does not track", () => {
    expect(run(start, { type: "warning", message: "x" })).toBe(start);
    expect(run(start, { type: "download-cancelled", game: "ut" })).toBe(start);
  });
});
