import { afterEach, describe, expect, it } from "vitest";

import { dictionaries, format, localeForLanguage, setLocale, t } from ".";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

afterEach(() => setLocale("en"));

describe("dictionaries", () => {
  // The `Dictionary` type already rejects a missing or extra key at compile time; this guards
  // against casts and keeps the check visible.
  it("have the same keys in English and German", () => {
    expect(Object.keys(dictionaries.de).sort()).toEqual(Object.keys(dictionaries.en).sort());
  });

  it("use the same placeholders in every language", () => {
    for (const [key, english] of Object.entries(dictionaries.en)) {
      const german = dictionaries.de[key as keyof typeof dictionaries.de];
      expect({ key, names: placeholders(german) }).toEqual({ key, names: placeholders(english) });
    }
  });

  it("have no empty text", () => {
    for (const dictionary of Object.values(dictionaries)) {
      for (const [key, text] of Object.entries(dictionary)) {
        expect({ key, empty: text.trim() === "" }).toEqual({ key, empty: false });
      }
    }
  });
});

describe("t", () => {
  it("follows the locale and fills placeholders", () => {
    expect(t("library.countOf", { shown: 3, total: 10 })).toBe("3 of 10");
    setLocale("de");
    expect(t("library.countOf", { shown: 3, total: 10 })).toBe("3 von 10");
    expect(document.documentElement.lang).toBe("de");
  });

  it("leaves unknown placeholders visible", () => {
    expect(format("{a} and {b}", { a: 1 })).toBe("1 and {b}");
    expect(format("plain")).toBe("plain");
  });

  it.each([
    ["german", "de"],
    ["english", "en"],
    ["french", "en"],
    ["schinese", "en"],
  ])("shows the UI in %s as %s", (language, locale) => {
    expect(localeForLanguage(language)).toBe(locale);
  });
});
