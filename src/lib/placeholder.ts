/**
 * The cover of a game that has none: a gradient whose hues come from a hash of the game's id,
 * and the title's initials. The same game always looks the same, on every machine.
 */

/** FNV-1a over UTF-16 code units: small, fast, well spread for short strings. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Up to two initials: of the first two words, or the first two letters of a single word. */
export function initials(title: string): string {
  const words = title
    .split(/[\s\-_:.,/&+]+/)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ""))
    .filter(Boolean);
  const [first, second] = words;
  if (!first) return "?";
  if (!second) return Array.from(first).slice(0, 2).join("").toUpperCase();
  return (Array.from(first)[0]! + Array.from(second)[0]!).toUpperCase();
}

export interface Placeholder {
  initials: string;
  /** A CSS `background` value. */
  background: string;
}

export function placeholder(id: string, title: string): Placeholder {
  const h = hash(id);
  const hue = h % 360;
  const shift = 30 + ((h >>> 9) % 60);
  const angle = 110 + ((h >>> 17) % 70);
  return {
    initials: initials(title),
    background:
      `linear-gradient(${angle}deg, hsl(${hue} 55% 34%), ` +
      `hsl(${(hue + shift) % 360} 60% 18%))`,
  };
}
