/**
 * The order of ids and names everywhere the engine sorts them itself: by UTF-16 code units, as
 * the memory store and JavaScript's `<` order strings (the SQL stores' "C"/binary collations order
 * by code point, which differs only between astral characters and U+E000–U+FFFF). Not
 * `localeCompare`, whose order depends on the locale and sets 'a' before 'B'.
 * @module
 */
import { isHigh, isLow } from './surrogates.js';

/** Negative when `a` sorts before `b`, positive after, 0 when equal. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Negative when `a` sorts before `b` by Unicode code point (CEL's string order), positive after, 0
 * when equal. It differs from {@link byCodeUnits} only where a character past U+FFFF meets one from
 * U+E000 to U+FFFF: `'😀'` (U+1F600) sorts after `'\uFFFD'`.
 */
export function byCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (i > 0 && isHigh(a.charCodeAt(i - 1)) && (isLow(x) || isLow(y))) {
      // After the same high surrogate: a pair (past U+FFFF) sorts after a lone surrogate.
      if (isLow(x) && isLow(y)) return x - y;
      return isLow(x) ? 1 : -1;
    }
    // A whole character where a pair starts here.
    return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
  }
  return a.length - b.length;
}
