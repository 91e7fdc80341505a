import { describe, expect, it } from "vitest";

import type { RuntimeEvent } from "../api";
import { game, localGame } from "../test/fixtures";
import {
  type Activity,
  emptyLibrary,
  ETA_MIN_TICKS,
  type LibraryState,
  reconcileActivity,
  reduce,
  shownEta,
  withSnapshot,
} from "./library";

/** A problem the UI has no words for: the runtime's English `reason` is shown. */
const UNWORDED = { code: "test.unworded", args: {} };

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
      ticks: 1,
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
    expect(run(installing, { type: "install-failed", game: "q3", reason: "disk full", problem: UNWORDED }).activity).toEqual({});
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

/** A `download-progress` event of `ut` with a rate and a remaining time. */
const progress = (eta_s: number | null, bytes_done = 500): RuntimeEvent => ({
  type: "download-progress",
  game: "ut",
  version: "2.0",
  bytes_done,
  bytes_total: 1000,
  bytes_per_s: 250,
  eta_s,
  peers: [],
});

const started: RuntimeEvent = {
  type: "download-started",
  game: "ut",
  version: "2.0",
  update: false,
  bytes_total: 1000,
  bytes_done: 0,
  peers: 1,
};

describe("shownEta", () => {
  it("waits for a second progress event before trusting the remaining time", () => {
    // The first rate is measured over a few milliseconds: a silly 2 s for the whole game.
    const first = run(start, started, progress(2));
    expect(first.activity.ut).toMatchObject({ etaS: 2, ticks: 1 });
    expect(shownEta(first.activity.ut)).toBeNull();

    const second = run(first, progress(40, 600));
    expect(ETA_MIN_TICKS).toBe(2);
    expect(shownEta(second.activity.ut)).toBe(40);
  });

  it("shows nothing while the runtime has no estimate, or for an install", () => {
    const unknown = run(start, started, progress(40), progress(null));
    expect(shownEta(unknown.activity.ut)).toBeNull();
    const installing = run(start, { type: "install-started", game: "q3", update: false });
    expect(shownEta(installing.activity.q3)).toBeNull();
    expect(shownEta(undefined)).toBeNull();
  });

  it("counts the progress of a download seen only from its progress events", () => {
    const joined = run(start, progress(40), progress(30));
    expect(shownEta(joined.activity.ut)).toBe(30);
  });

  it("starts counting again for a new download of the same game", () => {
    const cancelled: RuntimeEvent = { type: "download-cancelled", game: "ut" };
    const again = run(start, started, progress(40), progress(30), cancelled, started, progress(1));
    expect(shownEta(again.activity.ut)).toBeNull();
  });
});

describe("reconcileActivity", () => {
  const downloading = run(start, started, progress(40), progress(30, 600));
  const installing = run(start, { type: "install-started", game: "q3", update: false }, {
    type: "install-progress",
    game: "q3",
    bytes_done: 5,
    bytes_total: 50,
  });
  const both: LibraryState = { ...downloading, activity: { ...downloading.activity, ...installing.activity } };

  it("ends the activity of every game on which nothing runs any more", () => {
    // The download-finished and install-finished events were lost.
    const next = reconcileActivity(both, { operations: [] });
    expect(next.activity).toEqual({});
    expect(next.games).toBe(both.games);
  });

  it("keeps the progress of what still runs", () => {
    const next = reconcileActivity(both, { operations: [["ut", "download"], ["q3", "install"]] });
    expect(next).toBe(both);
    expect(next.activity.ut).toMatchObject({ bytesDone: 600, ticks: 2 });
  });

  it("counts an update's install as installing", () => {
    const next = reconcileActivity(start, { operations: [["q3", "update-install"]] });
    expect(next.activity.q3).toEqual({ kind: "installing", update: true, bytesDone: 0, bytesTotal: 0 });
    expect(reconcileActivity(both, { operations: [["q3", "update-install"], ["ut", "update"]] }).activity.q3).toBe(
      both.activity.q3,
    );
  });

  it("ends an activity while another kind of operation runs on the game", () => {
    const next = reconcileActivity(both, { operations: [["ut", "play"], ["q3", "uninstall"]] });
    expect(next.activity).toEqual({});
  });

  it("shows a download or install whose start was missed, with its progress unknown", () => {
    const next = reconcileActivity(start, {
      operations: [["ut", "update"], ["q3", "install"], ["cs", "play"]],
    });
    const expected: Record<string, Activity> = {
      ut: {
        kind: "downloading",
        update: true,
        version: "1.0",
        bytesDone: 0,
        bytesTotal: 0,
        bytesPerS: 0,
        etaS: null,
        peers: [],
        ticks: 0,
      },
      q3: { kind: "installing", update: false, bytesDone: 0, bytesTotal: 0 },
    };
    expect(next.activity).toEqual(expected);
  });

  it("replaces a download the runtime has moved on from with its install", () => {
    // download-finished and install-started were lost; the install runs.
    const next = reconcileActivity(downloading, { operations: [["ut", "install"]] });
    expect(next.activity.ut).toEqual({ kind: "installing", update: false, bytesDone: 0, bytesTotal: 0 });
  });

  it("leaves games alone whose events came after the operations were read", () => {
    const next = reconcileActivity(both, { operations: [["q3", "download"]], fresh: new Set(["ut", "q3"]) });
    expect(next).toBe(both);
    const added = reconcileActivity(start, { operations: [["ut", "download"]], fresh: new Set(["ut"]) });
    expect(added.activity).toEqual({});
  });

  it("ends a scan the runtime no longer runs, and only then", () => {
    const hashing = run(start, { type: "hash-progress", game: "q3", bytes_done: 1, bytes_total: 4 });
    expect(reconcileActivity(hashing, { operations: [], scanning: false }).scan).toBeNull();
    expect(reconcileActivity(hashing, { operations: [], scanning: true })).toBe(hashing);
    expect(reconcileActivity(hashing, { operations: [] })).toBe(hashing);
  });
});
