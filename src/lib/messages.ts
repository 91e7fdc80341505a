/**
 * What a person reads about a failed command and about the runtime's state, in the UI's
 * language. Errors whose meaning is fixed get the UI's own words, and so do the runtime's errors
 * that come with a `Problem` the UI knows (`problems.ts`); the runtime's English stays for the
 * rest, and inside the words where it names what only the runtime knows (an OS error, an
 * archive's entry). Pure: the translator and the title lookup come in as functions.
 */

import { type RuntimeState, toApiError } from "../api";
import type { Key, Translate } from "../i18n";
import { problemText } from "./problems";

/** `AppError` kinds that say the same thing every time, and the words for them. */
const FIXED_ERRORS: Readonly<Record<string, Key>> = {
  NoGameFolder: "error.noGameFolder",
  Starting: "error.starting",
  Stopped: "error.stopped",
};

/**
 * The text for any failure: translated for the fixed kinds and the known problems, the
 * runtime's message otherwise.
 */
export function errorText(error: unknown, t: Translate, titleOf?: (game: string) => string): string {
  const { kind, message, problem } = toApiError(error);
  const key = FIXED_ERRORS[kind];
  if (key !== undefined) return t(key);
  return problemText(problem, t, titleOf) ?? message;
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
