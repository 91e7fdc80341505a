/** Asks before something that cannot be undone. The safe choice has the focus. */

import type { Component } from "solid-js";

import { Dialog } from "./Dialog";

export const ConfirmDialog: Component<{
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}> = (props) => {
  let cancel: HTMLButtonElement | undefined;
  return (
    <Dialog
      label={props.title}
      onClose={props.onCancel}
      role="alertdialog"
      class="confirm"
      initialFocus={() => cancel}
    >
      <h2 class="confirm__title">{props.title}</h2>
      <p class="confirm__message">{props.message}</p>
      <div class="confirm__actions">
        <button ref={cancel} type="button" class="btn btn--ghost" onClick={() => props.onCancel()}>
          {props.cancelLabel}
        </button>
        <button
          type="button"
          class="btn btn--danger"
          data-testid="confirm-yes"
          onClick={() => props.onConfirm()}
        >
          {props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
};
