/**
 * A modal dialog: focus moves in when it opens, Tab stays inside, Escape and the backdrop close
 * it, and focus returns to where it was when it closes.
 */

import { onCleanup, onMount, type ParentComponent } from "solid-js";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export const Dialog: ParentComponent<{
  label: string;
  onClose: () => void;
  class?: string;
  testid?: string;
  /** The element to focus first; the first focusable element otherwise. */
  initialFocus?: () => HTMLElement | undefined;
  role?: "dialog" | "alertdialog";
}> = (props) => {
  let panel!: HTMLDivElement;
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;

  onMount(() => {
    const first = props.initialFocus?.() ?? panel.querySelector<HTMLElement>(FOCUSABLE) ?? panel;
    first.focus();
  });
  onCleanup(() => {
    if (opener?.isConnected) opener.focus();
  });

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      e.preventDefault();
      props.onClose();
      return;
    }
    if (e.key !== "Tab") return;
    const items = Array.from(panel.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
      (el) => !el.closest("[inert]") && el.closest(".dialog__panel") === panel,
    );
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div
      class="dialog"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) props.onClose();
      }}
    >
      <div
        ref={panel}
        class={`dialog__panel ${props.class ?? ""}`}
        role={props.role ?? "dialog"}
        aria-modal="true"
        aria-label={props.label}
        tabIndex={-1}
        data-testid={props.testid}
        onKeyDown={onKeyDown}
      >
        {props.children}
      </div>
    </div>
  );
};
