/** Filters of the unpack log and the application log views. Pure. */

import type { LogLine, UnpackRun } from "../api";
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
