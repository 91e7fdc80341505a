import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";

import { ApiError, type RuntimeEvent } from "./api";
import App, { AppErrorBoundary } from "./App";
import { createAppStores } from "./context";
import { setLocale } from "./i18n";
import { game, localGame, peer } from "./test/fixtures";
import { type FakeApi, fakeApi } from "./test/fakeApi";

/** A problem the UI has no words for: the runtime's English `reason` is shown. */
const UNWORDED = { code: "test.unworded", args: {} };

const GRID = { width: 1200, height: 800 };

function renderApp(api: FakeApi) {
  return render(() => <App api={api} gridSize={GRID} />);
}

afterEach(() => {
  setLocale("en");
  vi.useRealTimers();
});

describe("first run", () => {
  it("asks for the game folder and explains an invalid one without saving it", async () => {
    const api = fakeApi({ settings: { games_dir: null } });
    api.settingsCheckFolder.mockResolvedValue({
      path: "/nope",
      exists: false,
      is_dir: false,
      is_writable: false,
      is_ok: false,
      message: "/nope does not exist: choose an existing folder",
    });
    renderApp(api);

    const welcome = await screen.findByTestId("welcome");
    expect(within(welcome).getByRole("heading", { level: 1, name: "Welcome to Lanparty" })).toBeTruthy();
    fireEvent.input(screen.getByTestId("folder-input"), { target: { value: "/nope" } });
    fireEvent.click(screen.getByTestId("folder-save"));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("/nope does not exist: choose an existing folder");
    expect(api.settingsCheckFolder).toHaveBeenCalledWith("/nope");
    expect(api.settingsSet).not.toHaveBeenCalled();
    expect(screen.getByTestId("welcome")).toBeTruthy();
  });

  it("saves a valid folder picked with the folder picker and opens the library", async () => {
    const api = fakeApi({ settings: { games_dir: null }, games: [localGame({ id: "q3", title: "Quake III" })] });
    renderApp(api);

    fireEvent.click(await screen.findByTestId("folder-pick"));
    await waitFor(() => expect((screen.getByTestId("folder-input") as HTMLInputElement).value).toBe("/picked"));
    fireEvent.click(screen.getByTestId("folder-save"));

    expect(await screen.findByTestId("game-card-q3")).toBeTruthy();
    expect(api.settingsSet).toHaveBeenCalledWith(expect.objectContaining({ games_dir: "/picked" }));
    expect(screen.queryByTestId("welcome")).toBeNull();
  });

  it("asks for a folder when the field is empty", async () => {
    const api = fakeApi({ settings: { games_dir: null } });
    renderApp(api);
    fireEvent.click(await screen.findByTestId("folder-save"));
    expect((await screen.findByRole("alert")).textContent).toContain("Enter a folder");
    expect(api.settingsCheckFolder).not.toHaveBeenCalled();
  });
});

describe("library", () => {
  const games = [
    localGame({ id: "q3", title: "Quake III", installed: true, genre: "Shooter" }),
    localGame({ id: "aoe", title: "Age of Empires II", genre: "Strategy" }),
    localGame({ id: "ut", title: "Unreal Tournament", update_available: true, latest_version: "2.0" }),
    game({ id: "cs", title: "Counter-Strike", peers: 3 }),
    game({ id: "gone", title: "Lonely Game", peers: 0 }),
  ];

  it("shows each game's status and one primary action", async () => {
    renderApp(fakeApi({ games }));
    await screen.findByTestId("game-card-q3");

    const expectations: [string, string, string, boolean][] = [
      ["q3", "Installed", "Play", false],
      ["aoe", "Downloaded", "Install", false],
      ["ut", "Update available", "Update", false],
      ["cs", "Not on this PC", "Download", false],
      ["gone", "Not on this PC", "No peer has it", true],
    ];
    for (const [id, status, action, disabled] of expectations) {
      expect(screen.getByTestId(`game-status-${id}`).textContent).toBe(status);
      const button = screen.getByTestId(`game-action-${id}`) as HTMLButtonElement;
      expect(button.textContent).toBe(action);
      expect(button.disabled).toBe(disabled);
    }
    expect(within(screen.getByTestId("game-card-cs")).getByText("Peers with this game: 3")).toBeTruthy();
  });

  it("searches, filters and sorts", async () => {
    renderApp(fakeApi({ games }));
    await screen.findByTestId("game-card-q3");
    const cardIds = () =>
      Array.from(document.querySelectorAll<HTMLElement>('[data-testid^="game-card-"]')).map((el) =>
        el.dataset.testid?.slice("game-card-".length),
      );

    expect(cardIds()).toEqual(["aoe", "cs", "gone", "q3", "ut"]);
    fireEvent.input(screen.getByTestId("search"), { target: { value: "quake" } });
    expect(cardIds()).toEqual(["q3"]);
    fireEvent.input(screen.getByTestId("search"), { target: { value: "" } });
    fireEvent.click(screen.getByTestId("filter-installed"));
    expect(cardIds()).toEqual(["q3"]);
    fireEvent.click(screen.getByTestId("filter-updates"));
    expect(cardIds()).toEqual(["ut"]);
    fireEvent.click(screen.getByTestId("filter-local"));
    expect(cardIds()).toEqual(["aoe", "q3", "ut"]);
    fireEvent.click(screen.getByTestId("filter-all"));
    fireEvent.change(screen.getByTestId("sort"), { target: { value: "status" } });
    expect(cardIds()).toEqual(["ut", "q3", "aoe", "cs", "gone"]);
  });

  it("focuses the search with / and Ctrl+F", async () => {
    renderApp(fakeApi({ games }));
    await screen.findByTestId("game-card-q3");
    fireEvent.keyDown(document.body, { key: "/" });
    expect(document.activeElement).toBe(screen.getByTestId("search"));
    (document.activeElement as HTMLElement).blur();
    fireEvent.keyDown(document.body, { key: "f", ctrlKey: true });
    expect(document.activeElement).toBe(screen.getByTestId("search"));
  });

  it("shows download progress in place and keeps games current from events", async () => {
    const api = fakeApi({ games });
    renderApp(api);
    fireEvent.click(await screen.findByTestId("game-action-cs"));
    await waitFor(() => expect(api.gameDownload).toHaveBeenCalledWith("cs"));

    const progress = (bytesDone: number, etaS: number | null) =>
      api.emit({
        type: "download-progress",
        game: "cs",
        version: "1.0",
        bytes_done: bytesDone,
        bytes_total: 1024 * 1024 * 1024,
        bytes_per_s: 10 * 1024 * 1024,
        eta_s: etaS,
        peers: [{ peer_id: "p1", name: "Anna", bytes_per_s: 10 * 1024 * 1024 }],
      });
    // The first tick's rate is measured over milliseconds: its remaining time is not shown.
    progress(256 * 1024 * 1024, 0.3);
    const card = screen.getByTestId("game-card-cs");
    expect(within(card).getByText("25% · 10.0 MiB/s · estimating time")).toBeTruthy();
    progress(512 * 1024 * 1024, 51.2);
    expect(screen.getByTestId("game-status-cs").textContent).toBe("Downloading");
    expect(screen.getByTestId("game-progress-cs").getAttribute("aria-valuenow")).toBe("50");
    expect(within(card).getByText("50% · 10.0 MiB/s · 52 s left")).toBeTruthy();
    progress(600 * 1024 * 1024, null);
    expect(within(card).getByText("58% · 10.0 MiB/s · estimating time")).toBeTruthy();
    expect(screen.getByTestId("game-action-cs").textContent).toBe("Cancel");

    api.emit({ type: "download-cancelled", game: "cs" });
    api.emit({ type: "games-changed", games: [localGame({ id: "cs", title: "Counter-Strike" })], removed: ["gone"] });
    expect(screen.getByTestId("game-status-cs").textContent).toBe("Downloaded");
    expect(screen.queryByTestId("game-card-gone")).toBeNull();
  });

  it("shows a failed command's message in a toast and rolls the card back", async () => {
    const api = fakeApi({ games });
    api.gameDownload.mockRejectedValue(
      new ApiError("Download", "no connected peer has Counter-Strike: wait for a peer that has it"),
    );
    renderApp(api);
    fireEvent.click(await screen.findByTestId("game-action-cs"));

    const toast = await screen.findByTestId("toast");
    expect(toast.textContent).toContain("Could not download Counter-Strike");
    expect(toast.textContent).toContain("no connected peer has Counter-Strike: wait for a peer that has it");
    expect(toast.closest("[aria-live]")).toBeTruthy();
    expect(screen.getByTestId("game-status-cs").textContent).toBe("Not on this PC");
    expect(screen.getByTestId("game-action-cs").textContent).toBe("Download");

    fireEvent.click(within(toast).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("toast")).toBeNull();
  });

  it("words a failed command's problem with the game's title, and stays quiet on a cancelled start", async () => {
    const api = fakeApi({ games });
    const problem = { code: "download.no-source", args: { game: "cs" } };
    api.gameDownload.mockRejectedValueOnce(new ApiError("Download", "no connected peer has cs: …", problem));
    renderApp(api);
    fireEvent.click(await screen.findByTestId("game-action-cs"));
    const toast = await screen.findByTestId("toast");
    expect(toast.textContent).toContain(
      "No connected peer has Counter-Strike. Wait for a peer that has it, or add one by address under Peers.",
    );
    fireEvent.click(within(toast).getByRole("button", { name: "Dismiss" }));

    api.gameDownload.mockRejectedValueOnce(
      new ApiError("Cancelled", "the download of cs was cancelled", { code: "download.cancelled", args: { game: "cs" } }),
    );
    fireEvent.click(screen.getByTestId("game-action-cs"));
    await waitFor(() => expect(api.gameDownload).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(screen.getByTestId("game-action-cs").textContent).toBe("Download"));
    expect(screen.queryByTestId("toast")).toBeNull();
  });

  it("turns failure and warning events into toasts", async () => {
    const api = fakeApi({ games });
    renderApp(api);
    await screen.findByTestId("game-card-q3");
    api.emit({ type: "install-failed", game: "aoe", reason: "disk full: free 2 GiB on D:", problem: UNWORDED });
    api.emit({ type: "warning", message: "port 7878 is taken: using 7879" });
    const texts = screen.getAllByTestId("toast").map((el) => el.textContent);
    expect(texts).toEqual([
      expect.stringContaining("disk full: free 2 GiB on D:"),
      expect.stringContaining("port 7878 is taken: using 7879"),
    ]);
  });

  it("opens the detail with Enter, confirms before removing files and closes with Escape", async () => {
    const api = fakeApi({
      games: [
        localGame({
          id: "q3",
          title: "Quake III",
          installed: true,
          can_host_server: true,
          description: "Arena shooter.",
          copies: [{ peer_id: "p1", name: "Anna", version: "1.0", manifest_hash: "x", size: 5 }],
        }),
      ],
    });
    renderApp(api);
    const card = await screen.findByTestId("game-card-q3");
    expect(card.tabIndex).toBe(0);
    fireEvent.keyDown(card, { key: "Enter" });

    const detail = await screen.findByTestId("detail");
    expect(within(detail).getByText("Arena shooter.")).toBeTruthy();
    expect(within(detail).getByText("Anna")).toBeTruthy();
    const actions = Array.from(detail.querySelectorAll<HTMLElement>('[data-testid^="detail-action-"]')).map(
      (el) => el.dataset.testid,
    );
    expect(actions).toEqual([
      "detail-action-play",
      "detail-action-start-server",
      "detail-action-show-files",
      "detail-action-uninstall",
      "detail-action-remove",
    ]);

    fireEvent.click(screen.getByTestId("detail-action-uninstall"));
    expect(api.gameUninstall).not.toHaveBeenCalled();
    fireEvent.click(await screen.findByTestId("confirm-yes"));
    await waitFor(() => expect(api.gameUninstall).toHaveBeenCalledWith("q3"));

    fireEvent.click(screen.getByTestId("detail-action-remove"));
    expect(api.gameRemove).not.toHaveBeenCalled();
    fireEvent.click(await screen.findByTestId("confirm-yes"));
    await waitFor(() => expect(api.gameRemove).toHaveBeenCalledWith("q3"));

    fireEvent.keyDown(screen.getByTestId("detail"), { key: "Escape" });
    expect(screen.queryByTestId("detail")).toBeNull();
  });

  it("closes only the confirmation on the first Escape", async () => {
    renderApp(fakeApi({ games: [localGame({ id: "q3" })] }));
    fireEvent.click(await screen.findByTestId("game-card-q3"));
    fireEvent.click(await screen.findByTestId("detail-action-remove"));
    fireEvent.keyDown(await screen.findByTestId("confirm-yes"), { key: "Escape" });
    expect(screen.queryByTestId("confirm-yes")).toBeNull();
    expect(screen.getByTestId("detail")).toBeTruthy();
  });

  it("renders only the visible part of 1,000 games", async () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      game({ id: `g${String(i).padStart(4, "0")}`, title: `Game ${String(i).padStart(4, "0")}` }),
    );
    renderApp(fakeApi({ games: many }));
    await screen.findByTestId("game-card-g0000");

    const cards = document.querySelectorAll('[data-testid^="game-card-"]');
    expect(cards.length).toBeGreaterThan(0);
    expect(cards.length).toBeLessThan(100);
    expect(screen.getByRole("list", { name: "Games" }).querySelector('[aria-setsize="1000"]')).toBeTruthy();

    // Keyboard navigation reaches cards that were not rendered yet.
    fireEvent.keyDown(cards[0]!, { key: "End" });
    expect(document.activeElement).toBe(screen.getByTestId("game-card-g0999"));
    expect(screen.queryByTestId("game-card-g0000")).toBeNull();
  });
});

describe("navigation and panels", () => {
  it("lists peers with their current rate and adds one by address", async () => {
    const api = fakeApi({ peers: [peer({ peer_id: "p1", name: "Anna", games: 12 })], games: [game({ id: "cs" })] });
    renderApp(api);
    fireEvent.click(await screen.findByTestId("nav-peers"));
    const row = await screen.findByTestId("peer-p1");
    expect(row.textContent).toContain("Anna");
    expect(row.textContent).toContain("12");
    expect(row.textContent).toContain("0 B/s");

    api.emit({
      type: "download-progress",
      game: "cs",
      version: "1",
      bytes_done: 1,
      bytes_total: 2,
      bytes_per_s: 2048,
      eta_s: 1,
      peers: [{ peer_id: "p1", name: "Anna", bytes_per_s: 2048 }],
    });
    expect(row.textContent).toContain("2.0 KiB/s");

    fireEvent.input(screen.getByTestId("peer-add-input"), { target: { value: "not an address" } });
    fireEvent.click(screen.getByTestId("peer-add"));
    expect((await screen.findByRole("alert")).textContent).toContain("192.168.1.20:7878");
    expect(api.peersAdd).not.toHaveBeenCalled();

    fireEvent.input(screen.getByTestId("peer-add-input"), { target: { value: "10.0.0.7:7878" } });
    fireEvent.click(screen.getByTestId("peer-add"));
    await waitFor(() => expect(api.peersAdd).toHaveBeenCalledWith("10.0.0.7:7878"));
  });

  it("diagnoses the network when no peer turns up", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const api = fakeApi();
    renderApp(api);
    fireEvent.click(await screen.findByTestId("nav-peers"));
    expect(screen.queryByTestId("diagnosis")).toBeNull();
    await vi.advanceTimersByTimeAsync(10_000);
    const diagnosis = await screen.findByTestId("diagnosis");
    await waitFor(() => expect(diagnosis.textContent).toContain("Allow Lanparty through the firewall."));
    expect(diagnosis.textContent).toContain("eth0");
  });

  it("shows running downloads in the downloads panel", async () => {
    const api = fakeApi({ games: [game({ id: "cs", title: "Counter-Strike" }), game({ id: "ut", title: "UT" })] });
    renderApp(api);
    await screen.findByTestId("game-card-cs");
    for (const id of ["cs", "ut"]) {
      api.emit({ type: "download-started", game: id, version: "1", update: false, bytes_total: 100, bytes_done: 25, peers: 1 });
    }
    fireEvent.click(screen.getByTestId("nav-downloads"));
    expect(screen.getByTestId("download-cs").textContent).toContain("25%");
    expect(screen.getByTestId("download-ut")).toBeTruthy();
    fireEvent.click(within(screen.getByTestId("download-cs")).getByRole("button", { name: "Cancel download" }));
    await waitFor(() => expect(api.gameCancel).toHaveBeenCalledWith("cs"));
  });

  it("saves settings and speaks German when the language is German", async () => {
    const api = fakeApi();
    renderApp(api);
    fireEvent.click(await screen.findByTestId("nav-settings"));
    const save = screen.getByTestId("settings-save") as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    fireEvent.input(screen.getByTestId("settings-username"), { target: { value: "Lars" } });
    fireEvent.change(screen.getByTestId("settings-language"), { target: { value: "german" } });
    fireEvent.click(save);

    await waitFor(() =>
      expect(api.settingsSet).toHaveBeenCalledWith(expect.objectContaining({ username: "Lars", language: "german" })),
    );
    expect(await screen.findByRole("heading", { level: 1, name: "Einstellungen" })).toBeTruthy();
    expect(screen.getByTestId("nav-library").textContent).toContain("Bibliothek");
  });
});

describe("after missed events", () => {
  const games = [game({ id: "cs", title: "Counter-Strike" }), game({ id: "ut", title: "UT" })];
  const started = (game: string): RuntimeEvent => ({
    type: "download-started",
    game,
    version: "1",
    update: false,
    bytes_total: 100,
    bytes_done: 25,
    peers: 1,
  });

  it("re-reads the library and what runs when the window fell behind, and says so in the player's words", async () => {
    const api = fakeApi({ games });
    renderApp(api);
    await screen.findByTestId("game-card-cs");
    api.emit(started("cs"));
    api.emit(started("ut"));
    expect(screen.getByTestId("game-status-cs").textContent).toBe("Downloading");

    // The end of the download of cs was among the lost events; ut still downloads.
    api.operationsList.mockResolvedValue([["ut", "download"]]);
    const reads = api.libraryList.mock.calls.length;
    api.emitLagged({ dropped: 12 });

    await waitFor(() => expect(screen.getByTestId("game-status-cs").textContent).toBe("Not on this PC"));
    expect(api.libraryList.mock.calls.length).toBe(reads + 1);
    expect(screen.getByTestId("game-status-ut").textContent).toBe("Downloading");
    expect(screen.getByTestId("game-progress-ut").getAttribute("aria-valuenow")).toBe("25");
    expect(screen.getByTestId("toast").textContent).toContain(
      "The window missed 12 updates from Lanparty, so it read the library again.",
    );
  });

  it("re-reads what runs, and the covers, when the runtime is running again", async () => {
    const api = fakeApi({ games });
    api.gameCover.mockResolvedValue("data:image/png;base64,b2xk");
    renderApp(api);
    const card = await screen.findByTestId("game-card-cs");
    await waitFor(() => expect(card.querySelector("img")?.getAttribute("src")).toBe("data:image/png;base64,b2xk"));
    api.emit(started("cs"));

    // A new games folder restarts the runtime; its covers and operations are its own.
    api.gameCover.mockResolvedValue("data:image/png;base64,bmV3");
    api.emitState({ state: "starting", message: "starting the runtime" });
    expect(screen.getByTestId("runtime-banner").textContent).toBe("Lanparty is starting…");
    api.emitState({ state: "running", message: null });

    await waitFor(() => expect(screen.getByTestId("game-status-cs").textContent).toBe("Not on this PC"));
    await waitFor(() => expect(card.querySelector("img")?.getAttribute("src")).toBe("data:image/png;base64,bmV3"));
    expect(screen.queryByTestId("runtime-banner")).toBeNull();
  });
});

describe("the runtime's words", () => {
  it("shows starting and stopped in the player's language and a failure's reason after a translated lead", async () => {
    const api = fakeApi({ games: [game({ id: "cs" })] });
    api.appStatus.mockResolvedValue({ state: "failed", message: "/games is not writable: choose another folder" });
    renderApp(api);
    const banner = await screen.findByTestId("runtime-banner");
    expect(banner.textContent).toBe("Lanparty could not start: /games is not writable: choose another folder");

    setLocale("de");
    expect(banner.textContent).toBe("Lanparty konnte nicht starten: /games is not writable: choose another folder");
    api.emitState({ state: "stopped", message: "the app is closing" });
    expect(screen.getByTestId("runtime-banner").textContent).toBe("Lanparty wurde beendet. Starte die App neu.");
  });

  it("says a command refused while the runtime starts in the player's words", async () => {
    const api = fakeApi({ games: [game({ id: "cs", title: "Counter-Strike" })] });
    api.gameDownload.mockRejectedValue(new ApiError("Starting", "the runtime is starting: try again in a moment"));
    renderApp(api);
    fireEvent.click(await screen.findByTestId("game-action-cs"));
    const toast = await screen.findByTestId("toast");
    expect(toast.textContent).toContain("Lanparty is starting. Try again in a moment.");
    expect(toast.textContent).not.toContain("the runtime is starting");
  });
});

describe("server logs", () => {
  const logs = [
    { game: "ut", modified_unix_s: 100, text: "old server\n", truncated: false },
    { game: "q3", modified_unix_s: 200, text: "Server started on port 27960\nPlayer Anna joined\n", truncated: true },
  ];

  it("opens the log of a server just started from the game's detail", async () => {
    const api = fakeApi({
      games: [
        localGame({ id: "q3", title: "Quake III", installed: true, can_host_server: true }),
        game({ id: "ut", title: "UT" }),
      ],
    });
    api.gameStartServer.mockResolvedValue({
      script: "server_start.sh",
      pid: 2,
      setup_ran: false,
      stamped: [],
      log: "/state/logs/server-q3.log",
    });
    api.serverLogs.mockResolvedValue(logs);
    renderApp(api);
    fireEvent.click(await screen.findByTestId("game-card-q3"));
    expect(screen.queryByTestId("detail-server-log")).toBeNull();
    fireEvent.click(screen.getByTestId("detail-action-start-server"));
    fireEvent.click(await screen.findByTestId("detail-server-log"));

    expect(screen.queryByTestId("detail")).toBeNull();
    expect(screen.getByTestId("logs-tab-server").getAttribute("aria-selected")).toBe("true");
    const text = await screen.findByTestId("server-log-text");
    expect(text.textContent).toBe("Server started on port 27960\nPlayer Anna joined");
    expect(screen.getByText("Older output was cut off: this is the end of the log.")).toBeTruthy();
    const listed = Array.from(document.querySelectorAll<HTMLElement>('[data-testid^="server-log-"]'))
      .map((el) => el.dataset.testid)
      .filter((id) => id !== "server-log-text");
    expect(listed).toEqual(["server-log-q3", "server-log-ut"]);
    expect(screen.getByTestId("server-log-q3").getAttribute("aria-current")).toBe("true");

    fireEvent.input(screen.getByTestId("server-search"), { target: { value: "anna" } });
    expect(screen.getByTestId("server-log-text").textContent).toBe("Player Anna joined");
    fireEvent.input(screen.getByTestId("server-search"), { target: { value: "" } });
    fireEvent.click(screen.getByTestId("server-log-ut"));
    expect(screen.getByTestId("server-log-text").textContent).toBe("old server");
  });

  it("offers no server log for a server that runs in its own terminal", async () => {
    const api = fakeApi({ games: [localGame({ id: "q3", installed: true, can_host_server: true })] });
    renderApp(api);
    fireEvent.click(await screen.findByTestId("game-card-q3"));
    fireEvent.click(screen.getByTestId("detail-action-start-server"));
    await waitFor(() => expect(api.gameStartServer).toHaveBeenCalledWith("q3"));
    await screen.findByTestId("toast");
    expect(screen.queryByTestId("detail-server-log")).toBeNull();
  });

  it("shows the newest server log in the logs view, and says when there is none", async () => {
    const api = fakeApi();
    renderApp(api);
    fireEvent.click(await screen.findByTestId("nav-logs"));
    fireEvent.click(screen.getByTestId("logs-tab-server"));
    expect(await screen.findByText(/No server logs yet/)).toBeTruthy();

    api.serverLogs.mockResolvedValue(logs);
    fireEvent.click(screen.getByRole("button", { name: "Refresh" }));
    expect((await screen.findByTestId("server-log-text")).textContent).toBe(
      "Server started on port 27960\nPlayer Anna joined",
    );
  });
});

describe("an unexpected error", () => {
  it("replaces the window with what happened and a way to reload", async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const api = fakeApi();
    const { stores, dispose } = createRoot((dispose) => ({ stores: createAppStores(api), dispose }));
    stores.view = () => {
      throw new Error("the view exploded");
    };
    render(() => <App api={api} stores={stores} gridSize={GRID} />);
    onTestFinished(dispose);

    const crash = await screen.findByTestId("crash");
    expect(within(crash).getByRole("heading", { level: 1, name: "Something went wrong" })).toBeTruthy();
    expect(within(crash).getByRole("alert").textContent).toContain("Reload it to continue");
    expect(crash.textContent).toContain("the view exploded");
    expect(document.activeElement).toBe(within(crash).getByRole("button", { name: "Reload" }));
    quiet.mockRestore();
  });

  it("reloads the window from the fallback", () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const reload = vi.fn();
    const Broken = () => {
      throw new Error("boom");
    };
    render(() => (
      <AppErrorBoundary onReload={reload}>
        <Broken />
      </AppErrorBoundary>
    ));
    fireEvent.click(screen.getByRole("button", { name: "Reload" }));
    expect(reload).toHaveBeenCalledOnce();
    quiet.mockRestore();
  });
});
