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
