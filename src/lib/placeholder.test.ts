import { describe, expect, it } from "vitest";

import { hash, initials, placeholder } from "./placeholder";

describe("initials", () => {
  it.each([
    ["Counter-Strike", "CS"],
    ["Age of Empires II", "AO"],
    ["Quake", "QU"],
    ["  unreal   tournament ", "UT"],
    ["Warcraft III: Reign of Chaos", "WI"],
    ["Ünter Öl", "ÜÖ"],
    ["2Fast", "2F"],
    ["", "?"],
    ["!!!", "?"],
  ])("%s gives %s", (title, expected) => {
    expect(initials(title)).toBe(expected);
  });
});

describe("placeholder", () => {
  it("is the same for the same game", () => {
    expect(placeholder("quake3", "Quake III")).toEqual(placeholder("quake3", "Quake III"));
  });

  it("differs between games", () => {
    expect(placeholder("quake3", "Q").background).not.toBe(placeholder("ut2004", "Q").background);
  });

  it("hashes to unsigned 32-bit values", () => {
    for (const text of ["", "a", "quake3", "x".repeat(1000)]) {
      const h = hash(text);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});
