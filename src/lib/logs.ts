/** Filters and order of the application log, unpack log and server log views. Pure. */

import type { LogLine, ServerLog, UnpackRun } from "../api";
import { normalize } from "./games";

export const LEVELS = ["error", "warn", "info", "debug", "trace"] as const;
export type Level = (typeof LEVELS)[number];

/** Tracing writes levels in capitals ("WARN"), other sources may not; "warning" is "warn". */
export function levelOf(line: LogLine): Level {
  const level = line.level.trim().toLowerCase();
  if (level === "warning") return "warn";
  return (LEVELS as readonly string[]).includes(level) ? (level as Level) : "info";
}

/** Lines at `minimum` or more severe that contain every word of `search`. */
export function filterLogLines(lines: readonly LogLine[], minimum: Level, search: string): LogLine[] {
  const limit = LEVELS.indexOf(minimum);
  const words = normalize(search).split(/\s+/).filter(Boolean);
  return lines.filter((line) => {
    if (LEVELS.indexOf(levelOf(line)) > limit) return false;
    if (words.length === 0) return true;
    const text = normalize(`${line.target} ${line.message}`);
    return words.every((w) => text.includes(w));
  });
}

/** Runs of `game` (all games when empty) whose output or status contains every word. */
export function filterUnpackRuns(runs: readonly UnpackRun[], game: string, search: string): UnpackRun[] {
  const words = normalize(search).split(/\s+/).filter(Boolean);
  return runs.filter((run) => {
    if (game !== "" && run.game !== game) return false;
    if (words.length === 0) return true;
    const text = normalize(`${run.game} ${run.status} ${run.stdout} ${run.stderr}`);
    return words.every((w) => text.includes(w));
  });
}

/** Server logs with the most recently written first; those of unknown age last, by game. */
export function newestFirst(logs: readonly ServerLog[]): ServerLog[] {
  return [...logs].sort(
    (a, b) =>
      (b.modified_unix_s ?? -Infinity) - (a.modified_unix_s ?? -Infinity) || a.game.localeCompare(b.game),
  );
}

/**
 * The lines of a log's text that contain every word of `search`, without the empty line a
 * final newline leaves. Windows line ends count as line ends.
 */
export function filterTextLines(text: string, search: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  const words = normalize(search).split(/\s+/).filter(Boolean);
  if (words.length === 0) return lines;
  return lines.filter((line) => {
    const normal = normalize(line);
    return words.every((w) => normal.includes(w));
  });
}
