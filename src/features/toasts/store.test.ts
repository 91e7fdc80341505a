import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../../api";
import { createToastStore } from "./store";

const MS = { error: 100, warning: 100, success: 50, info: 50 };

afterEach(() => {
  vi.useRealTimers();
});

describe("toasts", () => {
  it("show an AppError's message and disappear after their time", () => {
    vi.useFakeTimers();
    createRoot((dispose) => {
      const toasts = createToastStore(MS);
      toasts.error(new ApiError("BadFolder", "D:\\Games is not writable: choose another folder"), "Not saved");
      expect(toasts.list).toEqual([
        { id: 1, tone: "error", title: "Not saved", message: "D:\\Games is not writable: choose another folder" },
      ]);
      vi.advanceTimersByTime(99);
      expect(toasts.list).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(toasts.list).toHaveLength(0);
      dispose();
    });
  });

  it("take the message of plain thrown values too", () => {
    createRoot((dispose) => {
      const toasts = createToastStore(MS);
      toasts.error({ kind: "Io", message: "disk full: free space on D:" });
      toasts.error("command game_play not found");
      expect(toasts.list.map((t) => t.message)).toEqual([
        "disk full: free space on D:",
        "command game_play not found",
      ]);
      dispose();
    });
  });

  it("word an error with a problem in the UI's language, naming the game by its title", () => {
    createRoot((dispose) => {
      const toasts = createToastStore(MS, (game) => (game === "q3" ? "Quake III" : game));
      const problem = { code: "install.not-downloaded", args: { game: "q3" } };
      toasts.error(new ApiError("Install", "q3 is not downloaded: download it first", problem));
      expect(toasts.list.map((t) => t.message)).toEqual(["Quake III is not downloaded. Download it first."]);
      dispose();
    });
  });

  it("can be dismissed, held while hovered and resumed", () => {
    vi.useFakeTimers();
    createRoot((dispose) => {
      const toasts = createToastStore(MS);
      const a = toasts.push("info", "a");
      const b = toasts.push("info", "b");
      toasts.dismiss(a);
      expect(toasts.list.map((t) => t.message)).toEqual(["b"]);
      toasts.hold(b);
      vi.advanceTimersByTime(1000);
      expect(toasts.list).toHaveLength(1);
      toasts.resume(b);
      vi.advanceTimersByTime(50);
      expect(toasts.list).toHaveLength(0);
      dispose();
    });
  });

  it("do not stack the same notice and keep at most five", () => {
    createRoot((dispose) => {
      const toasts = createToastStore(MS);
      toasts.push("warning", "same");
      toasts.push("warning", "same");
      expect(toasts.list).toHaveLength(1);
      for (let i = 0; i < 7; i += 1) toasts.push("info", `n${i}`);
      expect(toasts.list.map((t) => t.message)).toEqual(["n2", "n3", "n4", "n5", "n6"]);
      dispose();
    });
  });
});
