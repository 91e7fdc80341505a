/**
 * What the window shows instead of itself after an error nothing else caught: what happened, in
 * words and in detail, and the way back (a reload: the runtime lives outside the window, so its
 * downloads and installs carry on).
 */

import { type Component, onMount } from "solid-js";

import { Icon, Mark } from "./Icon";

export const CrashScreen: Component<{
  error: unknown;
  title: string;
  text: string;
  detailsLabel: string;
  reloadLabel: string;
  onReload: () => void;
}> = (props) => {
  let reload!: HTMLButtonElement;
  // What had focus is gone with the rest of the window; the way back takes it.
  onMount(() => reload.focus());
  const detail = () => {
    const e = props.error;
    if (e instanceof Error) return e.stack?.includes(e.message) ? e.stack : `${e.name}: ${e.message}`;
    if (typeof e === "string") return e;
    try {
      return JSON.stringify(e) ?? String(e);
    } catch {
      return String(e); // A cycle: the type name is all there is to show.
    }
  };
  return (
    <main class="splash crash" aria-labelledby="crash-title" data-testid="crash">
      <Mark class="splash__mark" />
      <div class="crash__message" role="alert">
        <h1 id="crash-title" class="crash__title">
          {props.title}
        </h1>
        <p class="crash__text">{props.text}</p>
      </div>
      <details class="crash__details">
        <summary class="crash__summary">{props.detailsLabel}</summary>
        <pre class="crash__error selectable">{detail()}</pre>
      </details>
      <button
        ref={reload}
        type="button"
        class="btn btn--primary"
        data-testid="crash-reload"
        onClick={() => props.onReload()}
      >
        <Icon name="refresh" />
        {props.reloadLabel}
      </button>
    </main>
  );
};
