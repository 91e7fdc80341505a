/**
 * What a person reads about a failed command and about the runtime's state, in the UI's
 * language. The runtime's English stays where it names what only the runtime knows (a path, an
 * OS error, a peer); errors and states whose meaning is fixed get the UI's own words. Pure: the
 * translator comes in as a function.
 */

import { type RuntimeState, toApiError } from "../api";
import type { Key, Translate } from "../i18n";

/** `AppError` kinds that say the same thing every time, and the words for them. */
const FIXED_ERRORS: Readonly<Record<string, Key>> = {
  NoGameFolder: "error.noGameFolder",
  Starting: "error.starting",
  Stopped: "error.stopped",
};

/** The text for any failure: translated for the fixed kinds, the runtime's message otherwise. */
export function errorText(error: unknown, t: Translate): string {
  const { kind, message } = toApiError(error);
  const key = FIXED_ERRORS[kind];
  return key === undefined ? message : t(key);
}

/**
 * The banner's text for a runtime state. Only a failure carries the runtime's message, because
 * only it says something the UI cannot (which folder, which OS error).
 */
export function runtimeText(state: RuntimeState, t: Translate): string {
  if (state.state === "failed") {
    const reason = state.message?.trim();
    return reason ? t("runtime.failedBecause", { reason }) : t("runtime.failed");
  }
  return t(`runtime.${state.state}`);
}
