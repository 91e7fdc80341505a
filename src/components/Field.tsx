/**
 * A labelled form control: the label, an optional hint and error, and the control, which the
 * caller renders with the attributes that tie it to them. Two shapes: `stacked` for forms (hint
 * under the label, error under the control) and `inline` for toolbars (a short label beside a
 * select).
 */

import { type JSX, Show } from "solid-js";

/** What the control spreads onto itself: the hint and error describe it, the error marks it. */
export interface FieldControl {
  readonly "aria-describedby": string | undefined;
  readonly "aria-invalid": boolean | undefined;
}

export function Field(props: {
  label: JSX.Element;
  hint?: JSX.Element;
  /** Names the hint (`ID-hint`) and the error (`ID-error`); needed for either. */
  id?: string;
  /** Undefined for a control that cannot be wrong; null while it is not. */
  error?: string | null;
  layout?: "stacked" | "inline";
  class?: string;
  children: (control: FieldControl) => JSX.Element;
}): JSX.Element {
  const inline = () => props.layout === "inline";
  const hintId = () => (props.id !== undefined && props.hint !== undefined ? `${props.id}-hint` : undefined);
  const errorId = () => (props.id !== undefined && props.error ? `${props.id}-error` : undefined);
  const control: FieldControl = {
    get "aria-describedby"() {
      return [hintId(), errorId()].filter(Boolean).join(" ") || undefined;
    },
    get "aria-invalid"() {
      return props.error === undefined ? undefined : props.error !== null;
    },
  };
  // Made once: an input re-created on every change would lose its focus and caret.
  const content = props.children(control);
  return (
    <label class={`${inline() ? "select-field" : "field"} ${props.class ?? ""}`}>
      <span class={inline() ? "select-field__label" : "field__label"}>{props.label}</span>
      <Show when={props.hint !== undefined && !inline()}>
        <span class="field__hint" id={hintId()}>
          {props.hint}
        </span>
      </Show>
      {content}
      <Show when={props.error}>
        {(error) => (
          <span class="field__error" id={errorId()} role="alert">
            {error()}
          </span>
        )}
      </Show>
    </label>
  );
}
