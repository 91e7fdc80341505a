/**
 * The UI's words in English and German. `t(key, params)` looks a key up in the dictionary of the
 * current locale and fills `{name}` placeholders. The locale follows the player's Steam language
 * (German for "german", English for everything else) and is a signal, so text re-renders when it
 * changes.
 */

import { createSignal } from "solid-js";

import { de } from "./de";
import { type Dictionary, en, type Key } from "./en";

export type { Key };
export type Locale = "en" | "de";
export type Params = Record<string, string | number>;
export type Translate = (key: Key, params?: Params) => string;

export const dictionaries: Record<Locale, Dictionary> = { en, de };

const [locale, setLocaleSignal] = createSignal<Locale>("en");

export { locale };

export function setLocale(next: Locale): void {
  setLocaleSignal(next);
  if (typeof document !== "undefined") document.documentElement.lang = next;
}

/** The UI locale for a Steam language name. */
export function localeForLanguage(language: string): Locale {
  return language === "german" ? "de" : "en";
}

/** Fills `{name}` placeholders; unknown ones stay visible so a mistake is noticed. */
export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export const t: Translate = (key, params) => format(dictionaries[locale()][key], params);
