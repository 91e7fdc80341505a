import { describe, expect, it } from "vitest";

import { formatBytes } from "./format";

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
