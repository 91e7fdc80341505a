/**
 * The launcher's view of the LAN's games, as a pure reducer over runtime events: the merged game
 * list (the library snapshot, then `games-changed` and `library-changed`), what is running on
 * each game (downloads, installs, with progress), and library scanning; and the reconciliation
 * with what the runtime says runs, for when events were lost. No IO, no clock.
 */

import type { GameInfo, Operation, PeerRate, RuntimeEvent } from "../api";

/** Something the runtime reports as running on a game. */
export type Activity =
  | {
      kind: "downloading";
      update: boolean;
      version: string;
      bytesDone: number;
      bytesTotal: number;
      bytesPerS: number;
      /** Null while the speed is unknown. */
      etaS: number | null;
      peers: PeerRate[];
      /** `download-progress` events seen for this download. */
      ticks: number;
    }
  | { kind: "installing"; update: boolean; bytesDone: number; bytesTotal: number };

export interface ScanProgress {
  game: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface LibraryState {
  /** False until the first snapshot arrived. */
  loaded: boolean;
  /** False while the games folder cannot be read; `reason` says why. */
  available: boolean;
  reason: string | null;
  games: Record<string, GameInfo>;
  activity: Record<string, Activity>;
  /** The game being hashed by a library scan, if any. */
  scan: ScanProgress | null;
}

export const emptyLibrary: LibraryState = {
  loaded: false,
  available: true,
  reason: null,
  games: {},
  activity: {},
  scan: null,
};

/** The state after a full snapshot: games replaced, running activity kept. */
export function withSnapshot(
  state: LibraryState,
  snapshot: { available: boolean; reason?: string | null; games: GameInfo[] },
): LibraryState {
  const games: Record<string, GameInfo> = {};
  for (const game of snapshot.games) games[game.id] = game;
  return {
    ...state,
    loaded: true,
    available: snapshot.available,
    reason: snapshot.reason ?? null,
    games,
  };
}

/** The state after `event`. Returns `state` itself when the event changes nothing here. */
export function reduce(state: LibraryState, event: RuntimeEvent): LibraryState {
  switch (event.type) {
    case "games-changed":
      return { ...state, games: mergeMerged(state.games, event.games, event.removed) };
    case "library-changed":
      return { ...state, games: mergeLocal(state.games, event.games, event.removed) };
    case "library-unavailable":
      return { ...state, available: false, reason: event.reason };
    case "library-available":
      return { ...state, available: true, reason: null };
    case "hash-progress":
      return {
        ...state,
        scan:
          event.bytes_done >= event.bytes_total
            ? null
            : { game: event.game, bytesDone: event.bytes_done, bytesTotal: event.bytes_total },
      };
    case "scan-finished":
      return state.scan === null ? state : { ...state, scan: null };
    case "download-started":
      return withActivity(state, event.game, {
        kind: "downloading",
        update: event.update,
        version: event.version,
        bytesDone: event.bytes_done,
        bytesTotal: event.bytes_total,
        bytesPerS: 0,
        etaS: null,
        peers: [],
        ticks: 0,
      });
    case "download-progress": {
      const before = state.activity[event.game];
      const downloading = before?.kind === "downloading" ? before : undefined;
      return withActivity(state, event.game, {
        kind: "downloading",
        update: downloading?.update ?? false,
        version: event.version,
        bytesDone: event.bytes_done,
        bytesTotal: event.bytes_total,
        bytesPerS: event.bytes_per_s,
        etaS: event.eta_s ?? null,
        peers: event.peers,
        ticks: (downloading?.ticks ?? 0) + 1,
      });
    }
    case "download-finished":
    case "download-failed":
    case "download-cancelled":
      return withoutActivity(state, event.game, "downloading");
    case "install-started":
      return withActivity(state, event.game, {
        kind: "installing",
        update: event.update,
        bytesDone: 0,
        bytesTotal: 0,
      });
    case "install-progress": {
      const before = state.activity[event.game];
      return withActivity(state, event.game, {
        kind: "installing",
        update: before?.kind === "installing" ? before.update : false,
        bytesDone: event.bytes_done,
        bytesTotal: event.bytes_total,
      });
    }
    case "install-finished":
    case "install-failed":
    case "install-cancelled":
      return withoutActivity(state, event.game, "installing");
    default:
      return state;
  }
}

/**
 * Progress events a download needs before its remaining time is shown: the first one's rate can
 * be measured over a few milliseconds and promise hours or a blink.
 */
export const ETA_MIN_TICKS = 2;

/** The remaining seconds worth showing, or null while there is no trustworthy estimate. */
export function shownEta(activity: Activity | undefined): number | null {
  if (activity?.kind !== "downloading" || activity.ticks < ETA_MIN_TICKS) return null;
  return activity.etaS;
}

/** Which activity an operation of `operations_list` shows as; null for one shown as none. */
export function activityKind(what: string): Activity["kind"] | null {
  switch (what) {
    case "download":
    case "update":
      return "downloading";
    case "install":
    case "update-install":
      return "installing";
    default:
      return null;
  }
}

/** An operation the runtime reports as running, with its progress unknown until its next event. */
function unknownProgress(kind: Activity["kind"], what: string, game: GameInfo | undefined): Activity {
  if (kind === "installing") {
    return { kind, update: what === "update-install", bytesDone: 0, bytesTotal: 0 };
  }
  return {
    kind,
    update: what === "update",
    version: game?.latest_version ?? game?.catalog_version ?? "",
    bytesDone: 0,
    bytesTotal: 0,
    bytesPerS: 0,
    etaS: null,
    peers: [],
    ticks: 0,
  };
}

/**
 * The state after re-reading what runs, for when events may have been lost (the window fell
 * behind, the runtime restarted): a game's activity ends unless a matching operation runs on
 * it; a running download or install whose start was missed appears with unknown progress; one
 * that runs and is known keeps its progress. Games in `fresh` had events after `operations` was
 * read, so the events are newer and their activity stays as it is. `scanning` false ends the
 * scan progress; undefined leaves it.
 */
export function reconcileActivity(
  state: LibraryState,
  reported: { operations: readonly Operation[]; scanning?: boolean; fresh?: ReadonlySet<string> },
): LibraryState {
  const fresh = reported.fresh ?? new Set<string>();
  const running = new Map<string, string>();
  for (const [game, what] of reported.operations) {
    // A game runs one operation at a time; if a list names two, the one shown wins.
    if (!running.has(game) || activityKind(what) !== null) running.set(game, what);
  }
  const activity: Record<string, Activity> = {};
  let changed = false;
  for (const [game, known] of Object.entries(state.activity)) {
    const what = running.get(game);
    const kind = what === undefined ? null : activityKind(what);
    if (fresh.has(game) || kind === known.kind) {
      activity[game] = known;
    } else if (kind !== null && what !== undefined) {
      activity[game] = unknownProgress(kind, what, state.games[game]);
      changed = true;
    } else {
      changed = true;
    }
  }
  for (const [game, what] of running) {
    const kind = activityKind(what);
    if (kind === null || game in activity || fresh.has(game)) continue;
    activity[game] = unknownProgress(kind, what, state.games[game]);
    changed = true;
  }
  const scan = reported.scanning === false ? null : state.scan;
  if (!changed && scan === state.scan) return state;
  return { ...state, activity: changed ? activity : state.activity, scan };
}

function withActivity(state: LibraryState, game: string, activity: Activity): LibraryState {
  return { ...state, activity: { ...state.activity, [game]: activity } };
}

/** Ends `game`'s activity if it is of `kind`: a late download event never ends an install. */
function withoutActivity(state: LibraryState, game: string, kind: Activity["kind"]): LibraryState {
  if (state.activity[game]?.kind !== kind) return state;
  const activity = { ...state.activity };
  delete activity[game];
  return { ...state, activity };
}

/** `games-changed` carries the merged view: it replaces games by id and drops the removed. */
function mergeMerged(
  games: Record<string, GameInfo>,
  changed: GameInfo[],
  removed: string[],
): Record<string, GameInfo> {
  const next = { ...games };
  for (const game of changed) next[game.id] = game;
  for (const id of removed) delete next[id];
  return next;
}

/**
 * `library-changed` carries this machine's view only (no peers, no copies). It updates the
 * local side of each game and keeps what the LAN knows, until `games-changed` follows with the
 * merged view. A game removed here that peers still have stays, as not on this PC.
 */
function mergeLocal(
  games: Record<string, GameInfo>,
  changed: GameInfo[],
  removed: string[],
): Record<string, GameInfo> {
  const next = { ...games };
  for (const local of changed) {
    const known = games[local.id];
    next[local.id] = known
      ? {
          ...local,
          peers: known.peers,
          copies: known.copies,
          latest_version: known.latest_version ?? local.latest_version,
          update_available:
            known.update_available && local.downloaded && local.version !== known.latest_version,
        }
      : local;
  }
  for (const id of removed) {
    const known = next[id];
    if (!known) continue;
    if (known.copies.length > 0) {
      next[id] = {
        ...known,
        version: null,
        downloaded: false,
        installed: false,
        shareable: false,
        manifest_hash: null,
        update_available: false,
      };
    } else {
      delete next[id];
    }
  }
  return next;
}
