/**
 * What the launcher shows for a game and what it offers to do with it: the status chip, the
 * one primary action of a card, the detail view's actions, and the library's search, filters
 * and sort orders. Pure functions of the game, its activity and the command in flight.
 */

import type { GameInfo } from "../api";
import type { Activity } from "./library";

/** A command the launcher sent for a game and that has not answered yet. */
export type Pending =
  | "download"
  | "update"
  | "install"
  | "cancel"
  | "uninstall"
  | "remove"
  | "play"
  | "start-server"
  | "show-files";

export type GameStatus =
  | "downloading"
  | "installing"
  | "update"
  | "installed"
  | "downloaded"
  | "remote"
  | "unavailable";

export function gameStatus(game: GameInfo, activity?: Activity, pending?: Pending): GameStatus {
  if (activity?.kind === "downloading" || pending === "download" || pending === "update") {
    return "downloading";
  }
  if (activity?.kind === "installing" || pending === "install") return "installing";
  if (game.update_available) return "update";
  if (game.installed) return "installed";
  if (game.downloaded) return "downloaded";
  return game.peers > 0 ? "remote" : "unavailable";
}

/** Order of the status sort: what needs attention first, what cannot be had last. */
const STATUS_RANK: Record<GameStatus, number> = {
  downloading: 0,
  installing: 1,
  update: 2,
  installed: 3,
  downloaded: 4,
  remote: 5,
  unavailable: 6,
};

export type Action =
  | "download"
  | "update"
  | "install"
  | "play"
  | "start-server"
  | "uninstall"
  | "remove"
  | "cancel"
  | "show-files";

/**
 * A card's one button. `action` is null when nothing can be done: no peer has the game
 * (`no-peer`), or an install was asked for and has not started yet (`installing`).
 */
export interface Primary {
  action: Action | null;
  label: "play" | "install" | "update" | "download" | "cancel" | "installing" | "no-peer";
  /** A command for this game is in flight: the button shows it is busy. */
  busy: boolean;
}

export function primaryAction(game: GameInfo, activity?: Activity, pending?: Pending): Primary {
  const busy = pending !== undefined;
  switch (gameStatus(game, activity, pending)) {
    case "downloading":
      return { action: "cancel", label: "cancel", busy };
    case "installing":
      // A running extraction can be cancelled; one still being claimed cannot yet.
      return activity?.kind === "installing"
        ? { action: "cancel", label: "cancel", busy }
        : { action: null, label: "installing", busy };
    case "update":
      return { action: "update", label: "update", busy };
    case "installed":
      return { action: "play", label: "play", busy };
    case "downloaded":
      return { action: "install", label: "install", busy };
    case "remote":
      return { action: "download", label: "download", busy };
    case "unavailable":
      return { action: null, label: "no-peer", busy };
  }
}

/** Every action the detail view offers for the game now, in display order. */
export function availableActions(game: GameInfo, activity?: Activity, pending?: Pending): Action[] {
  const actions: Action[] = [];
  const status = gameStatus(game, activity, pending);
  const idle = status !== "downloading" && status !== "installing";
  if (status === "downloading" || activity?.kind === "installing") actions.push("cancel");
  if (idle && game.installed) actions.push("play");
  if (idle && game.installed && game.can_host_server) actions.push("start-server");
  if (idle && game.update_available) actions.push("update");
  if (idle && !game.downloaded && game.peers > 0) actions.push("download");
  if (idle && game.downloaded && !game.installed) actions.push("install");
  if (game.downloaded || game.installed) actions.push("show-files");
  if (idle && game.installed) actions.push("uninstall");
  if (idle && game.downloaded) actions.push("remove");
  return actions;
}

export type Filter = "all" | "local" | "installed" | "updates";
export const FILTERS: readonly Filter[] = ["all", "local", "installed", "updates"];

export type Sort = "name" | "size" | "status";
export const SORTS: readonly Sort[] = ["name", "size", "status"];

export function matchesFilter(game: GameInfo, filter: Filter): boolean {
  switch (filter) {
    case "all":
      return true;
    case "local":
      return game.downloaded || game.installed;
    case "installed":
      return game.installed;
    case "updates":
      return game.update_available;
  }
}

/** Lowercase, without diacritics, so "pokemon" finds "Pokémon" and "über" finds "Uber". */
export function normalize(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

/** Every word of the query occurs in the title, genre or id. */
export function matchesSearch(game: GameInfo, query: string): boolean {
  const words = normalize(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = normalize(`${game.title} ${game.genre} ${game.id}`);
  return words.every((word) => haystack.includes(word));
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function compareByName(a: GameInfo, b: GameInfo): number {
  return collator.compare(a.title, b.title) || a.id.localeCompare(b.id);
}

export interface Query {
  search: string;
  filter: Filter;
  sort: Sort;
}

/**
 * The games to show, in order. Names ascend, sizes descend (the big ones are what people look
 * for), statuses go by `STATUS_RANK`; ties fall back to the name so the order is stable.
 */
export function queryGames(
  games: readonly GameInfo[],
  query: Query,
  statusOf: (game: GameInfo) => GameStatus = (game) => gameStatus(game),
): GameInfo[] {
  const shown = games.filter((g) => matchesFilter(g, query.filter) && matchesSearch(g, query.search));
  switch (query.sort) {
    case "name":
      return shown.sort(compareByName);
    case "size":
      return shown.sort((a, b) => b.size - a.size || compareByName(a, b));
    case "status": {
      const rank = new Map(shown.map((g) => [g, STATUS_RANK[statusOf(g)]]));
      return shown.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0) || compareByName(a, b));
    }
  }
}
