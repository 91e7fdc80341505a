/**
 * Notifications: what happened and what to do, shown for a while, dismissible, announced to
 * screen readers by the region that renders them.
 */

import { createStore, produce } from "solid-js/store";

import { t } from "../../i18n";
import { errorText } from "../../lib/messages";

export type Tone = "error" | "warning" | "success" | "info";

export interface Toast {
  id: number;
  tone: Tone;
  title: string | null;
  message: string;
}

/** How long each tone stays: errors long enough to read what to do. */
export const TOAST_MS: Record<Tone, number> = {
  error: 10_000,
  warning: 8_000,
  success: 4_000,
  info: 5_000,
};

/** Older toasts give way beyond this many. */
const MAX_TOASTS = 5;

export interface ToastStore {
  readonly list: readonly Toast[];
  push(tone: Tone, message: string, title?: string | null): number;
  /** Shows a failed command's message (an `AppError` already says what to do), in the UI's words where it has them. */
  error(error: unknown, title?: string | null): number;
  dismiss(id: number): void;
  /** Stops the timer of a toast while it is hovered or focused; `resume` restarts it. */
  hold(id: number): void;
  resume(id: number): void;
}

/**
 * `titleOf` names a game for the errors that mention one (the library's titles, looked up when
 * the error is shown).
 */
export function createToastStore(
  durations: Record<Tone, number> = TOAST_MS,
  titleOf?: (game: string) => string,
): ToastStore {
  const [list, setList] = createStore<Toast[]>([]);
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;

  const arm = (toast: Toast) => {
    clearTimeout(timers.get(toast.id));
    timers.set(
      toast.id,
      setTimeout(() => dismiss(toast.id), durations[toast.tone]),
    );
  };

  const dismiss = (id: number) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    setList((all) => all.filter((toast) => toast.id !== id));
  };

  const push = (tone: Tone, message: string, title: string | null = null) => {
    const toast: Toast = { id: nextId++, tone, title, message };
    // The same notice twice in a row (a retry loop) refreshes the first instead of stacking.
    const same = list.find((o) => o.tone === tone && o.title === title && o.message === message);
    if (same) {
      arm(same);
      return same.id;
    }
    setList(
      produce((all) => {
        all.push(toast);
        while (all.length > MAX_TOASTS) {
          const old = all.shift();
          if (old) {
            clearTimeout(timers.get(old.id));
            timers.delete(old.id);
          }
        }
      }),
    );
    arm(toast);
    return toast.id;
  };

  return {
    get list() {
      return list;
    },
    push,
    error: (error, title = null) => push("error", errorText(error, t, titleOf), title),
    dismiss,
    hold: (id) => {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
    resume: (id) => {
      const toast = list.find((o) => o.id === id);
      if (toast) arm(toast);
    },
  };
}
