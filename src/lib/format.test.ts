import { describe, expect, it } from "vitest";

import {
  formatBytes,
  formatClock,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatSpeed,
  percent,
} from "./format";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe("formatBytes", () => {
  // Edge sizes around each unit boundary, plus the rounding cases that could show "1024.0".
  it.each([
    [0, "0 B"],
    [1, "1 B"],
    [1023, "1023 B"],
    [KiB, "1.0 KiB"],
    [KiB + 1, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [MiB - 1, "1.0 MiB"], // 1023.999 KiB rounds up into the next unit
    [MiB - 52, "1023.9 KiB"], // the largest value that still rounds to below 1024 KiB
    [MiB, "1.0 MiB"],
    [10.25 * MiB, "10.3 MiB"],
    [GiB - 1, "1.0 GiB"],
    [1.5 * GiB, "1.5 GiB"],
    [TiB - 1, "1.0 TiB"],
    [TiB, "1.0 TiB"],
    [2048 * TiB, "2048.0 TiB"], // no unit past TiB
    [Number.MAX_SAFE_INTEGER, "8192.0 TiB"],
  ])("formats %d bytes as %s", (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });

  it("rounds fractional counts to whole bytes below 1 KiB", () => {
    expect(formatBytes(0.4)).toBe("0 B");
    expect(formatBytes(512.5)).toBe("513 B");
  });

  it("moves a fractional count that rounds to 1024 bytes into KiB", () => {
    expect(formatBytes(1023.6)).toBe("1.0 KiB");
  });

  it.each([-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    "rejects %d",
    (bytes) => {
      expect(() => formatBytes(bytes)).toThrow(RangeError);
    },
  );

  it("treats negative zero as zero", () => {
    expect(formatBytes(-0)).toBe("0 B");
  });
});

describe("formatSpeed", () => {
  it.each([
    [0, "0 B/s"],
    [512, "512 B/s"],
    [12.5 * MiB, "12.5 MiB/s"],
    [1.2 * GiB, "1.2 GiB/s"],
  ])("formats %d bytes per second as %s", (rate, expected) => {
    expect(formatSpeed(rate)).toBe(expected);
  });
});

describe("percent", () => {
  it.each([
    [0, 100, 0],
    [1, 100, 1],
    [999, 1000, 99], // floored: 100 % only when finished
    [1000, 1000, 100],
    [1200, 1000, 100], // clamped
    [5, 0, 0], // unknown total
    [-5, 100, 0],
    [Number.NaN, 100, 0],
  ])("%d of %d is %d%%", (done, total, expected) => {
    expect(percent(done, total)).toBe(expected);
    expect(formatPercent(done, total)).toBe(`${expected}%`);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [0.2, "1 s"], // rounded up: never "0 s" while something remains
    [45, "45 s"],
    [59.5, "1 min 00 s"],
    [60, "1 min 00 s"],
    [185, "3 min 05 s"],
    [3599, "59 min 59 s"],
    [3600, "1 h 00 min"],
    [3725, "1 h 02 min"],
    [30 * 3600, "30 h 00 min"],
  ])("formats %d seconds as %s", (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });

  it.each([null, -1, Number.NaN, Number.POSITIVE_INFINITY])("has no label for %s", (seconds) => {
    expect(formatDuration(seconds)).toBeNull();
  });
});

describe("formatClock and formatDateTime", () => {
  it("formats local times with zero padding", () => {
    const ms = new Date(2025, 2, 5, 4, 3, 7).getTime();
    expect(formatClock(ms)).toBe("04:03:07");
    expect(formatDateTime(ms)).toBe("2025-03-05 04:03");
  });
});
