/**
 * The library as the launcher shows it: the merged game list and what runs on each game, fed by
 * runtime events through the pure reducer in lib/library.ts and re-read whole (with what runs)
 * when events may have been lost; the commands a person starts, each marked pending until it
 * answers and rolled back with a toast when it fails; covers, loaded lazily; the games whose
 * server wrote a log this session; and the view's search, filter, sort and open game.
 */

import { createMemo, createSignal } from "solid-js";
import { createStore, produce, reconcile, unwrap } from "solid-js/store";

import { type Api, errorKind, type GameInfo, type RuntimeEvent, type Started } from "../../api";
import { t } from "../../i18n";
import {
  type Action,
  type Filter,
  type GameStatus,
  gameStatus,
  type Pending,
  queryGames,
  type Sort,
} from "../../lib/games";
import {
  type Activity,
  emptyLibrary,
  type LibraryState,
  reconcileActivity,
  reduce,
  withSnapshot,
} from "../../lib/library";
import { errorText } from "../../lib/messages";
import type { ToastStore } from "../toasts/store";

/** A download or install that ended in this session, for the downloads panel. */
export interface Finished {
  seq: number;
  game: string;
  kind: "download" | "update" | "install";
  outcome: "finished" | "failed" | "cancelled";
  detail: string | null;
}

/** Covers fetched at once; the rest wait their turn. */
const COVER_CONCURRENCY = 4;
/** Covers kept in memory (data URLs of up to 2 MiB each); the least recently shown go first. */
const COVER_CACHE = 300;
const HISTORY_LIMIT = 30;

export interface LibraryStore {
  readonly state: LibraryState;
  readonly pending: Readonly<Record<string, Pending>>;
  readonly covers: Readonly<Record<string, string | null>>;
  readonly history: readonly Finished[];
  /** Null until the first load failed or finished; the failure's message otherwise. */
  readonly loadError: () => string | null;
  /**
   * Reads the library and what runs on it, and ends the activity of every game on which nothing
   * runs any more: the way back to the truth after lost events or a restart of the runtime.
   */
  load(): Promise<void>;
  apply(event: RuntimeEvent): void;
  run(action: Action, id: string): Promise<void>;
  /** Fetches the cover of a game on screen. Called in an effect, it fetches again after a reset. */
  ensureCover(id: string): void;
  /** Forgets every cover: a new games folder or runtime may have other ones. */
  resetCovers(): void;
  /** Whether the game's server was started this session with its output going to a log. */
  hasServerLog(id: string): boolean;
  titleOf(id: string): string;
  statusOf(game: GameInfo): GameStatus;
  activityOf(id: string): Activity | undefined;
  allGames: () => GameInfo[];
  shown: () => GameInfo[];
  search: () => string;
  setSearch(value: string): void;
  filter: () => Filter;
  setFilter(value: Filter): void;
  sort: () => Sort;
  setSort(value: Sort): void;
  openId: () => string | null;
  open(id: string | null): void;
}

export function createLibraryStore(api: Api, toasts: ToastStore): LibraryStore {
  const [state, setState] = createStore<LibraryState>(structuredClone(emptyLibrary));
  const [pending, setPending] = createStore<Record<string, Pending>>({});
  const [covers, setCovers] = createStore<Record<string, string | null>>({});
  const [history, setHistory] = createStore<Finished[]>([]);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [search, setSearch] = createSignal("");
  const [filter, setFilter] = createSignal<Filter>("all");
  const [sort, setSort] = createSignal<Sort>("name");
  const [openId, setOpenId] = createSignal<string | null>(null);
  const [serverLogs, setServerLogs] = createStore<Record<string, true>>({});

  // Event sequence numbers: a command that answers after its operation already ended (a tiny
  // download, a fast install) must not bring the operation back, and a re-read list of
  // operations must not end one whose events came after the list was read.
  let seq = 0;
  const endedAt = new Map<string, number>();
  const touchedAt = new Map<string, number>();
  let scannedAt = 0;
  let loads = 0;

  const update = (next: LibraryState) => setState(reconcile(next, { key: "id" }));

  const load = async () => {
    const sentAt = seq;
    loads += 1;
    const mine = loads;
    const [snapshot, operations, status] = await Promise.allSettled([
      api.libraryList(),
      api.operationsList(),
      api.libraryStatus(),
    ]);
    // A later load read newer state; this one's answers would take it back.
    if (mine !== loads) return;
    if (snapshot.status === "rejected") {
      // Shown in place of the grid, with a retry. While the runtime starts or restarts (or
      // before a folder is chosen) failing is expected: the skeleton stays until
      // `runtime-state` says running, and the banner says why.
      const expected = ["NoGameFolder", "Starting", "Stopped"].includes(errorKind(snapshot.reason));
      setLoadError(expected ? null : errorText(snapshot.reason, t));
      return;
    }
    let next = withSnapshot(unwrap(state), snapshot.value);
    // Without the list of operations the activity stays as the events left it.
    if (operations.status === "fulfilled") {
      const fresh = new Set([...touchedAt].filter(([, at]) => at > sentAt).map(([game]) => game));
      next = reconcileActivity(next, {
        operations: operations.value,
        fresh,
        // Scan events after the status was read are newer than it.
        ...(status.status === "fulfilled" && scannedAt <= sentAt ? { scanning: status.value.scanning } : {}),
      });
    }
    update(next);
    setLoadError(null);
  };

  const remember = (entry: Omit<Finished, "seq">) =>
    setHistory(
      produce((list) => {
        list.unshift({ ...entry, seq });
        list.splice(HISTORY_LIMIT);
      }),
    );

  const apply = (event: RuntimeEvent) => {
    seq += 1;
    const game = "game" in event && typeof event.game === "string" ? event.game : undefined;
    if (game !== undefined) touchedAt.set(game, seq);
    if (event.type === "hash-progress" || event.type === "scan-finished") scannedAt = seq;
    const before = game === undefined ? undefined : state.activity[game];
    switch (event.type) {
      case "download-finished":
        endedAt.set(event.game, seq);
        remember({ game: event.game, kind: event.update ? "update" : "download", outcome: "finished", detail: null });
        break;
      case "download-failed":
      case "download-cancelled": {
        endedAt.set(event.game, seq);
        const update = before?.kind === "downloading" && before.update;
        remember({
          game: event.game,
          kind: update ? "update" : "download",
          outcome: event.type === "download-failed" ? "failed" : "cancelled",
          detail: event.type === "download-failed" ? event.reason : null,
        });
        break;
      }
      case "install-finished":
      case "install-failed":
      case "install-cancelled":
        endedAt.set(event.game, seq);
        remember({
          game: event.game,
          kind: "install",
          outcome:
            event.type === "install-failed"
              ? "failed"
              : event.type === "install-cancelled"
                ? "cancelled"
                : "finished",
          detail: event.type === "install-failed" ? event.reason : null,
        });
        break;
      default:
        break;
    }
    const next = reduce(unwrap(state), event);
    if (next !== unwrap(state)) update(next);
  };

  const setPendingFor = (id: string, value: Pending | undefined) =>
    setPending(
      produce((all) => {
        if (value === undefined) delete all[id];
        else all[id] = value;
      }),
    );

  /** Shows an operation the runtime confirmed before any event about it arrived. */
  const seed = (id: string, sentAt: number, activity: Activity) => {
    if ((endedAt.get(id) ?? 0) > sentAt || state.activity[id]) return;
    seq += 1;
    touchedAt.set(id, seq);
    update({ ...unwrap(state), activity: { ...unwrap(state).activity, [id]: activity } });
  };

  const started = (id: string, sentAt: number, s: Started) =>
    seed(id, sentAt, {
      kind: "downloading",
      update: s.update,
      version: s.version,
      bytesDone: s.bytes_done,
      bytesTotal: s.bytes_total,
      bytesPerS: 0,
      etaS: null,
      peers: [],
      ticks: 0,
    });

  const run = async (action: Action, id: string) => {
    if (pending[id] !== undefined) return;
    const sentAt = seq;
    setPendingFor(id, action);
    try {
      switch (action) {
        case "download":
          started(id, sentAt, await api.gameDownload(id));
          break;
        case "update":
          started(id, sentAt, await api.gameUpdate(id));
          break;
        case "install":
          await api.gameInstall(id);
          seed(id, sentAt, { kind: "installing", update: false, bytesDone: 0, bytesTotal: 0 });
          break;
        case "cancel":
          await api.gameCancel(id);
          break;
        case "uninstall":
          await api.gameUninstall(id);
          break;
        case "remove":
          await api.gameRemove(id);
          break;
        case "play": {
          const launched = await api.gamePlay(id);
          toasts.push("success", t(launched.setup_ran ? "notice.setupAndPlay" : "notice.playing", { title: titleOf(id) }));
          break;
        }
        case "start-server": {
          const launched = await api.gameStartServer(id);
          // Only a server without a terminal writes a log the logs view can show.
          if (launched.log !== null) setServerLogs(id, true);
          toasts.push("success", t("notice.serverStarted", { title: titleOf(id) }));
          break;
        }
        case "show-files":
          await api.gameShowFiles(id);
          break;
      }
    } catch (error) {
      // A download cancelled while it was being prepared did what the player asked.
      if (errorKind(error) !== "Cancelled") toasts.error(error, t(`action.failed.${action}`, { title: titleOf(id) }));
    } finally {
      setPendingFor(id, undefined);
    }
  };

  // Covers: fetched once per game while its card is on screen, a few at a time. `requested`
  // keeps insertion order as recency, so the first entries are the ones to forget. A reset
  // starts a new generation: answers of the old one are dropped, and the `generation` signal
  // makes the effects of the cards on screen ask again.
  const queue: string[] = [];
  const requested = new Set<string>();
  let inFlight = 0;
  const [generation, setGeneration] = createSignal(0);
  const pump = () => {
    while (inFlight < COVER_CONCURRENCY && queue.length > 0) {
      const id = queue.shift() as string;
      const askedIn = generation();
      inFlight += 1;
      api
        .gameCover(id)
        .catch(() => null) // A cover that cannot be read shows the placeholder; nothing to do.
        .then((url) => {
          // A cover forgotten while it was being fetched stays forgotten.
          if (askedIn === generation() && requested.has(id)) setCovers(id, url);
        })
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };
  const ensureCover = (id: string) => {
    generation();
    if (requested.has(id)) {
      requested.delete(id);
      requested.add(id);
      return;
    }
    requested.add(id);
    queue.push(id);
    pump();
    if (requested.size <= COVER_CACHE) return;
    const forget: string[] = [];
    for (const old of requested) {
      if (requested.size - forget.length <= COVER_CACHE) break;
      if (!queue.includes(old)) forget.push(old);
    }
    for (const old of forget) requested.delete(old);
    setCovers(
      produce((all) => {
        for (const old of forget) delete all[old];
      }),
    );
  };

  const resetCovers = () => {
    queue.length = 0;
    requested.clear();
    setCovers(reconcile({}));
    setGeneration((g) => g + 1);
  };

  const titleOf = (id: string) => state.games[id]?.title ?? id;
  const activityOf = (id: string) => state.activity[id];
  const statusOf = (game: GameInfo) => gameStatus(game, state.activity[game.id], pending[game.id]);
  const allGames = createMemo(() => Object.values(state.games));
  const shown = createMemo(() =>
    queryGames(allGames(), { search: search(), filter: filter(), sort: sort() }, statusOf),
  );

  return {
    state,
    pending,
    covers,
    history,
    loadError,
    load,
    apply,
    run,
    ensureCover,
    resetCovers,
    hasServerLog: (id) => serverLogs[id] === true,
    titleOf,
    statusOf,
    activityOf,
    allGames,
    shown,
    search,
    setSearch,
    filter,
    setFilter,
    sort,
    setSort,
    openId: () => {
      const id = openId();
      return id !== null && state.games[id] ? id : null;
    },
    open: (id) => setOpenId(id),
  };
}
