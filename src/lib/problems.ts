/**
 * A runtime failure in the player's language. The runtime sends each failure twice: as English
 * text written for the headless peer and the logs, and as a `Problem`, a stable code with its
 * fields as text (`crates/lanparty-core/src/problem.rs`). The UI words the code itself, with the
 * game's title instead of its id and its own vocabulary (a button, not a peer command); a code it
 * does not know, or a text whose fields did not all come, leaves the runtime's English. Pure: the
 * translator and the title lookup come in as functions.
 */

import type { Problem } from "../api";
import { dictionaries, type Key, type Params, type Translate } from "../i18n";

/** The dictionary key for a problem code: `problem.<code>`, or the unpacker's catch-all. */
export function problemKey(code: string): Key | null {
  const key = `problem.${code}`;
  if (isKey(key)) return key;
  // The sidecar's codes are its own and may grow: an unknown one still reads as a failed unpack.
  return code.startsWith("unpack.") ? "problem.unpack" : null;
}

/** The text of `problem` in the UI's language, or null when the UI has no words for it. */
export function problemText(
  problem: Problem | null | undefined,
  t: Translate,
  titleOf: (game: string) => string = (game) => game,
): string | null {
  if (!problem) return null;
  const key = problemKey(problem.code);
  if (key === null) return null;
  const params: Params = {};
  for (const [name, value] of Object.entries(problem.args)) {
    if (value !== undefined) params[name] = value;
  }
  if (params.game !== undefined) params.title = titleOf(String(params.game));
  if (params.what !== undefined) {
    const op = `op.${params.what}`;
    if (isKey(op)) params.what = t(op);
  }
  const text = t(key, params);
  // A placeholder left over means the runtime sent fewer fields than the words need.
  return /\{\w+\}/.test(text) ? null : text;
}

function isKey(key: string): key is Key {
  return Object.hasOwn(dictionaries.en, key);
}
