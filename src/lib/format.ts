/** Pure formatting helpers for values shown in the UI. No DOM, no clock, no IO. */

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;
const BYTES_PER_STEP = 1024;

/**
 * Formats a byte count with binary units: whole bytes below 1 KiB ("0 B", "1023 B"), one
 * decimal from KiB upwards ("1.0 KiB", "1.5 GiB"). Values past the largest unit stay in TiB.
 *
 * The unit is chosen after rounding, so a value that rounds up to 1024 of one unit is shown as
 * 1.0 of the next ("1.0 MiB", never "1024.0 KiB"). Fractional counts, such as rates averaged over
 * time, are accepted.
 *
 * @throws RangeError if `n` is negative, NaN or infinite: a size or rate is never any of these,
 *   so such a value is a bug upstream that should not be hidden behind a plausible label.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) {
    throw new RangeError(`byte count must be a finite, non-negative number, got ${n}`);
  }

  const wholeBytes = Math.round(n);
  if (wholeBytes < BYTES_PER_STEP) {
    return `${wholeBytes} B`;
  }

  let value = n / BYTES_PER_STEP;
  let unit = 1;
  while (unit < BYTE_UNITS.length - 1 && roundToTenth(value) >= BYTES_PER_STEP) {
    value /= BYTES_PER_STEP;
    unit += 1;
  }
  return `${roundToTenth(value).toFixed(1)} ${BYTE_UNITS[unit]}`;
}

function roundToTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

/** A transfer rate: "0 B/s", "12.5 MiB/s". */
export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * Whole percent of `done` out of `total`, floored so 100 % means finished, clamped to 0..100.
 * An unknown total (0) reads as 0 %.
 */
export function percent(done: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(done)) return 0;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}

/** `percent` with its sign: "42%". */
export function formatPercent(done: number, total: number): string {
  return `${percent(done, total)}%`;
}

/**
 * A remaining time, rounded up to whole seconds: "0 s", "45 s", "3 min 05 s", "1 h 02 min".
 * Hours drop the seconds, which are noise at that scale. Null (speed unknown) and values that
 * are not finite and non-negative give null, so the caller shows its own "unknown" label.
 */
export function formatDuration(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${pad2(m)} min`;
  if (m > 0) return `${m} min ${pad2(s)} s`;
  return `${s} s`;
}

/** A wall-clock time of day from Unix milliseconds, as "14:03:07" in the local time zone. */
export function formatClock(unixMs: number): string {
  const d = new Date(unixMs);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A date and time from Unix milliseconds, as "2025-03-30 14:03" in the local time zone. */
export function formatDateTime(unixMs: number): string {
  const d = new Date(unixMs);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  return `${date} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function pad2(n: number): string {
  return n.toString().padStart(2, "0");
}
