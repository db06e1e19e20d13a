/**
 * The order of ids and names everywhere the engine sorts them itself: by UTF-16 code units, as
 * the memory store and JavaScript's `<` order strings (the SQL stores' "C"/binary collations order
 * by code point, which differs only between astral characters and U+E000–U+FFFF). Not
 * `localeCompare`, whose order depends on the locale and sets 'a' before 'B'.
 * @module
 */

/** Negative when `a` sorts before `b`, positive after, 0 when equal. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
