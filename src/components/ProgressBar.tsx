/** A progress bar; without `value` it is indeterminate (running, amount unknown). */

import type { Component } from "solid-js";

export const ProgressBar: Component<{
  /** 0..100, or null while unknown. */
  value: number | null;
  label: string;
  tone?: "download" | "install";
  testid?: string;
  class?: string;
}> = (props) => (
  <div
    class={`progress progress--${props.tone ?? "download"} ${props.class ?? ""}`}
    classList={{ "progress--indeterminate": props.value === null }}
    role="progressbar"
    aria-label={props.label}
    aria-valuemin={0}
    aria-valuemax={100}
    aria-valuenow={props.value ?? undefined}
    data-testid={props.testid}
  >
    <div class="progress__fill" style={{ width: props.value === null ? undefined : `${props.value}%` }} />
  </div>
);
