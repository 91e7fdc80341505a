/**
 * The library as the launcher shows it: the merged game list and what runs on each game, fed by
 * runtime events through the pure reducer in lib/library.ts; the commands a person starts, each
 * marked pending until it answers and rolled back with a toast when it fails; covers, loaded
 * lazily; and the view's search, filter, sort and open game.
 */

import { createMemo, createSignal } from "solid-js";
import { createStore, produce, reconcile, unwrap } from "solid-js/store";

import { type Api, errorKind, errorMessage, type GameInfo, type RuntimeEvent, type Started } from "../../api";
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
import { type Activity, emptyLibrary, type LibraryState, reduce, withSnapshot } from "../../lib/library";
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
  load(): Promise<void>;
  apply(event: RuntimeEvent): void;
  run(action: Action, id: string): Promise<void>;
  ensureCover(id: string): void;
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

  // Event sequence numbers: a command that answers after its operation already ended (a tiny
  // download, a fast install) must not bring the operation back.
  let seq = 0;
  const endedAt = new Map<string, number>();

  const update = (next: LibraryState) => setState(reconcile(next, { key: "id" }));

  const load = async () => {
    try {
      const snapshot = await api.libraryList();
      update(withSnapshot(unwrap(state), snapshot));
      setLoadError(null);
    } catch (error) {
      // Shown in place of the grid, with a retry. While the runtime starts (or before a folder
      // is chosen) failing is expected: the skeleton stays until `runtime-state` says running.
      const expected = ["NoGameFolder", "Starting"].includes(errorKind(error));
      setLoadError(expected ? null : errorMessage(error));
    }
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
    const before = "game" in event && typeof event.game === "string" ? state.activity[event.game] : undefined;
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
        case "start-server":
          await api.gameStartServer(id);
          toasts.push("success", t("notice.serverStarted", { title: titleOf(id) }));
          break;
        case "show-files":
          await api.gameShowFiles(id);
          break;
      }
    } catch (error) {
      toasts.error(error, t(`action.failed.${action}`, { title: titleOf(id) }));
    } finally {
      setPendingFor(id, undefined);
    }
  };

  // Covers: fetched once per game while its card is on screen, a few at a time. `requested`
  // keeps insertion order as recency, so the first entries are the ones to forget.
  const queue: string[] = [];
  const requested = new Set<string>();
  let inFlight = 0;
  const pump = () => {
    while (inFlight < COVER_CONCURRENCY && queue.length > 0) {
      const id = queue.shift() as string;
      inFlight += 1;
      api
        .gameCover(id)
        .catch(() => null) // A cover that cannot be read shows the placeholder; nothing to do.
        .then((url) => {
          // A cover forgotten while it was being fetched stays forgotten.
          if (requested.has(id)) setCovers(id, url);
        })
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };
  const ensureCover = (id: string) => {
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
