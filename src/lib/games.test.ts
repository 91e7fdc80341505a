import { describe, expect, it } from "vitest";

import { game, localGame } from "../test/fixtures";
import {
  type Action,
  availableActions,
  gameStatus,
  matchesSearch,
  primaryAction,
  queryGames,
} from "./games";
import type { Activity } from "./library";

const downloading: Activity = {
  kind: "downloading",
  update: false,
  version: "1.0",
  bytesDone: 1,
  bytesTotal: 10,
  bytesPerS: 1,
  etaS: 9,
  peers: [],
  ticks: 3,
};
const installing: Activity = { kind: "installing", update: false, bytesDone: 1, bytesTotal: 10 };

describe("card status and primary action", () => {
  // One row per status: the game, what is running on it, the chip, the button.
  it.each([
    ["installed", localGame({ id: "g", installed: true }), undefined, "installed", "play"],
    ["downloaded", localGame({ id: "g" }), undefined, "downloaded", "install"],
    [
      "update available",
      localGame({ id: "g", installed: true, update_available: true }),
      undefined,
      "update",
      "update",
    ],
    ["on a peer", game({ id: "g", peers: 2 }), undefined, "remote", "download"],
    ["nowhere", game({ id: "g", peers: 0 }), undefined, "unavailable", "no-peer"],
    ["downloading", game({ id: "g" }), downloading, "downloading", "cancel"],
    [
      "updating",
      localGame({ id: "g", installed: true, update_available: true }),
      downloading,
      "downloading",
      "cancel",
    ],
    ["installing", localGame({ id: "g" }), installing, "installing", "cancel"],
    ["install asked for", localGame({ id: "g" }), undefined, "downloaded", "install"],
  ] as const)("%s", (_, g, activity, status, label) => {
    expect(gameStatus(g, activity)).toBe(status);
    expect(primaryAction(g, activity).label).toBe(label);
  });

  it("offers nothing to click when no peer has the game or an install is being claimed", () => {
    expect(primaryAction(game({ id: "g", peers: 0 })).action).toBeNull();
    expect(primaryAction(localGame({ id: "g" }), undefined, "install")).toEqual({
      action: null,
      label: "installing",
      busy: true,
    });
    expect(primaryAction(localGame({ id: "g" }), installing).action).toBe("cancel");
  });

  it("shows a download that was asked for as downloading before the runtime confirms it", () => {
    const g = game({ id: "g" });
    expect(gameStatus(g, undefined, "download")).toBe("downloading");
    expect(primaryAction(g, undefined, "download")).toEqual({
      action: "cancel",
      label: "cancel",
      busy: true,
    });
  });
});

describe("availableActions", () => {
  const cases: [string, ReturnType<typeof game>, Activity | undefined, Action[]][] = [
    [
      "installed server game",
      localGame({ id: "g", installed: true, can_host_server: true }),
      undefined,
      ["play", "start-server", "show-files", "uninstall", "remove"],
    ],
    [
      "installed with an update",
      localGame({ id: "g", installed: true, update_available: true }),
      undefined,
      ["play", "update", "show-files", "uninstall", "remove"],
    ],
    ["downloaded", localGame({ id: "g" }), undefined, ["install", "show-files", "remove"]],
    ["remote", game({ id: "g" }), undefined, ["download"]],
    ["nowhere", game({ id: "g", peers: 0 }), undefined, []],
    ["downloading", game({ id: "g" }), downloading, ["cancel"]],
    ["installing", localGame({ id: "g" }), installing, ["cancel", "show-files"]],
  ];
  it.each(cases)("%s", (_, g, activity, actions) => {
    expect(availableActions(g, activity)).toEqual(actions);
  });
});

describe("queryGames", () => {
  const games = [
    game({ id: "ut", title: "Unreal Tournament", genre: "Shooter", size: 500, peers: 1 }),
    localGame({ id: "aoe", title: "Age of Empires II", genre: "Strategy", size: 3000, installed: true }),
    localGame({ id: "q3", title: "Quake III", size: 800, update_available: true }),
    game({ id: "pk", title: "Pokémon Arena", genre: "RPG", size: 100, peers: 0 }),
    localGame({ id: "q2", title: "Quake II", size: 800 }),
  ];
  const ids = (list: { id: string }[]) => list.map((g) => g.id);

  it("sorts by name with numbers read as numbers", () => {
    expect(ids(queryGames(games, { search: "", filter: "all", sort: "name" }))).toEqual([
      "aoe",
      "pk",
      "q2",
      "q3",
      "ut",
    ]);
  });

  it("sorts by size, largest first, ties by name", () => {
    expect(ids(queryGames(games, { search: "", filter: "all", sort: "size" }))).toEqual([
      "aoe",
      "q2",
      "q3",
      "ut",
      "pk",
    ]);
  });

  it("sorts by status: updates, installed, downloaded, on peers, nowhere", () => {
    expect(ids(queryGames(games, { search: "", filter: "all", sort: "status" }))).toEqual([
      "q3",
      "aoe",
      "q2",
      "ut",
      "pk",
    ]);
  });

  it.each([
    ["all", ["aoe", "pk", "q2", "q3", "ut"]],
    ["local", ["aoe", "q2", "q3"]],
    ["installed", ["aoe"]],
    ["updates", ["q3"]],
  ] as const)("filters %s", (filter, expected) => {
    expect(ids(queryGames(games, { search: "", filter, sort: "name" }))).toEqual(expected);
  });

  it("searches titles, genres and ids, every word, without case or accents", () => {
    expect(ids(queryGames(games, { search: "quake", filter: "all", sort: "name" }))).toEqual([
      "q2",
      "q3",
    ]);
    expect(ids(queryGames(games, { search: "pokemon", filter: "all", sort: "name" }))).toEqual(["pk"]);
    expect(ids(queryGames(games, { search: "STRATEGY age", filter: "all", sort: "name" }))).toEqual([
      "aoe",
    ]);
    expect(ids(queryGames(games, { search: "quake", filter: "updates", sort: "name" }))).toEqual(["q3"]);
    expect(matchesSearch(games[0]!, "   ")).toBe(true);
  });

  it("does not reorder its input", () => {
    const copy = [...games];
    queryGames(games, { search: "", filter: "all", sort: "size" });
    expect(games).toEqual(copy);
  });
});
