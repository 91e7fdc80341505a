import { createEffect, createRoot } from "solid-js";
import { describe, expect, it, vi } from "vitest";

import { ApiError } from "../../api";
import { fakeApi } from "../../test/fakeApi";
import { game, localGame } from "../../test/fixtures";
import { createToastStore } from "../toasts/store";
import { createLibraryStore } from "./store";

function setup(api = fakeApi({ games: [game({ id: "cs", title: "Counter-Strike" }), localGame({ id: "q3" })] })) {
  return createRoot((dispose) => {
    const toasts = createToastStore();
    const library = createLibraryStore(api, toasts);
    return { api, toasts, library, dispose };
  });
}

/** A promise and the function that settles it, to answer a command at a chosen moment. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("the library store", () => {
  it("shows a download the runtime confirmed before its first event", async () => {
    const { library, dispose } = setup();
    await library.load();
    await library.run("download", "cs");
    expect(library.activityOf("cs")).toMatchObject({ kind: "downloading", bytesTotal: 1000 });
    expect(library.pending.cs).toBeUndefined();
    dispose();
  });

  it("does not bring back a download that ended before its command answered", async () => {
    const { api, library, dispose } = setup();
    await library.load();
    const answer = deferred<Awaited<ReturnType<typeof api.gameDownload>>>();
    api.gameDownload.mockReturnValue(answer.promise);
    const running = library.run("download", "cs");
    expect(library.statusOf(library.state.games.cs!)).toBe("downloading");

    library.apply({ type: "download-started", game: "cs", version: "1", update: false, bytes_total: 5, bytes_done: 0, peers: 1 });
    library.apply({
      type: "download-finished",
      game: "cs",
      version: "1",
      update: false,
      bytes: 5,
      bytes_total: 5,
      resumed_bytes: 0,
      seconds: 0.1,
      mib_per_s: 1,
      peers: [],
    });
    answer.resolve({ game: "cs", version: "1", update: false, bytes_total: 5, bytes_done: 0 });
    await running;

    expect(library.activityOf("cs")).toBeUndefined();
    expect(library.history[0]).toMatchObject({ game: "cs", kind: "download", outcome: "finished" });
    dispose();
  });

  it("rolls a failed command back and says why", async () => {
    const { api, library, toasts, dispose } = setup();
    await library.load();
    api.gameInstall.mockRejectedValue(new ApiError("Install", "not enough space on D: free 3 GiB"));
    await library.run("install", "q3");
    expect(library.pending.q3).toBeUndefined();
    expect(library.activityOf("q3")).toBeUndefined();
    expect(toasts.list.map((t) => [t.title, t.message])).toEqual([
      ["Could not install q3", "not enough space on D: free 3 GiB"],
    ]);
    dispose();
  });

  it("runs one command per game at a time", async () => {
    const { api, library, dispose } = setup();
    await library.load();
    const answer = deferred<void>();
    api.gameUninstall.mockReturnValue(answer.promise);
    const first = library.run("uninstall", "q3");
    await library.run("remove", "q3");
    expect(api.gameRemove).not.toHaveBeenCalled();
    answer.resolve();
    await first;
    dispose();
  });

  it("ends on load what no longer runs, but not what started while it loaded", async () => {
    const { api, library, dispose } = setup();
    await library.load();
    library.apply({ type: "install-started", game: "q3", update: false });
    expect(library.activityOf("q3")).toBeDefined();

    // The list is read before cs starts; its start event arrives before the answer.
    const operations = deferred<[string, string][]>();
    api.operationsList.mockReturnValue(operations.promise);
    const loading = library.load();
    library.apply({ type: "download-started", game: "cs", version: "1", update: false, bytes_total: 5, bytes_done: 0, peers: 1 });
    operations.resolve([]);
    await loading;

    expect(library.activityOf("q3")).toBeUndefined();
    expect(library.activityOf("cs")).toMatchObject({ kind: "downloading", bytesTotal: 5 });
    dispose();
  });

  it("keeps the activity as it is when what runs cannot be read", async () => {
    const { api, library, dispose } = setup();
    await library.load();
    library.apply({ type: "install-started", game: "q3", update: false });
    api.operationsList.mockRejectedValueOnce(new ApiError("Stopped", "the runtime stopped"));
    await library.load();
    expect(library.activityOf("q3")).toMatchObject({ kind: "installing" });
    expect(library.loadError()).toBeNull();
    dispose();
  });

  it("fetches the covers on screen again after a reset and drops the answers from before it", async () => {
    const { api, library, dispose } = setup();
    const before = deferred<string | null>();
    api.gameCover.mockReturnValueOnce(before.promise).mockResolvedValueOnce("data:new");
    // The card on screen: its effect asks for the cover, and again after a reset.
    const card = createRoot((unmount) => {
      createEffect(() => library.ensureCover("cs"));
      return unmount;
    });
    expect(api.gameCover).toHaveBeenCalledTimes(1);

    library.resetCovers();
    expect(api.gameCover).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(library.covers.cs).toBe("data:new"));
    before.resolve("data:old");
    await before.promise;
    await Promise.resolve();
    expect(library.covers.cs).toBe("data:new");

    library.resetCovers();
    expect(library.covers.cs).toBeUndefined();
    card();
    dispose();
  });

  it("waits quietly while the runtime starts instead of reporting a failure", async () => {
    const api = fakeApi();
    api.libraryList.mockRejectedValueOnce(new ApiError("Starting", "Lanparty is starting: try again in a moment"));
    const { library, toasts, dispose } = setup(api);
    await library.load();
    expect(library.loadError()).toBeNull();
    expect(library.state.loaded).toBe(false);
    expect(toasts.list).toHaveLength(0);
    api.libraryList.mockRejectedValueOnce(new ApiError("Io", "cannot read D:\\Games: check the drive"));
    await library.load();
    expect(library.loadError()).toBe("cannot read D:\\Games: check the drive");
    dispose();
  });
});
