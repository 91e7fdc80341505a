/** The notification stack; a polite live region so screen readers announce each notice. */

import { type Component, For } from "solid-js";

import { Icon, type IconName } from "./Icon";

export interface ToastView {
  id: number;
  tone: "error" | "warning" | "success" | "info";
  title: string | null;
  message: string;
}

const ICONS: Record<ToastView["tone"], IconName> = {
  error: "alert",
  warning: "alert",
  success: "check",
  info: "info",
};

export const Toasts: Component<{
  toasts: readonly ToastView[];
  label: string;
  dismissLabel: string;
  onDismiss: (id: number) => void;
  onHold: (id: number) => void;
  onResume: (id: number) => void;
}> = (props) => (
  <section class="toasts" aria-label={props.label} aria-live="polite" aria-relevant="additions">
    <For each={props.toasts}>
      {(toast) => (
        <div
          class={`toast toast--${toast.tone}`}
          data-testid="toast"
          onMouseEnter={() => props.onHold(toast.id)}
          onMouseLeave={() => props.onResume(toast.id)}
          onFocusIn={() => props.onHold(toast.id)}
          onFocusOut={() => props.onResume(toast.id)}
        >
          <Icon name={ICONS[toast.tone]} class="toast__icon" />
          <div class="toast__body">
            {toast.title && <p class="toast__title">{toast.title}</p>}
            <p class="toast__message">{toast.message}</p>
          </div>
          <button
            type="button"
            class="icon-btn toast__close"
            aria-label={props.dismissLabel}
            onClick={() => props.onDismiss(toast.id)}
          >
            <Icon name="close" />
          </button>
        </div>
      )}
    </For>
  </section>
);
