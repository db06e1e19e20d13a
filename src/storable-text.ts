/**
 * Strings every store keeps exactly as given, for the ones the stores index and compare (an
 * idempotency key): no U+0000, which PostgreSQL's `text` refuses, and no lone UTF-16 surrogate
 * (half of a pair, e.g. an emoji cut in two), which UTF-8 cannot encode, so PostgreSQL would keep
 * U+FFFD instead and two different keys would become one. Engine-made text that carries what a
 * handler wrote (an error's message and code) is made storable instead, the same way on every store.
 * @module
 */

/** A U+0000, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding U+0000 is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** The same, every occurrence (for `replace`). */
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** What keeps `text` from being stored as is (see the module), or null when nothing does. */
export function unstorableText(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (!found) return null;
  const unit = found[0].charCodeAt(0);
  if (unit === 0) return `contains U+0000 at index ${found.index}`;
  const hex = unit.toString(16).toUpperCase();
  return `contains an unpaired surrogate (U+${hex}) at index ${found.index}`;
}

/**
 * `text` with each U+0000 and lone surrogate replaced by U+FFFD, as PostgreSQL would store it, so
 * that what the engine reports before a restart is what every store reports after it.
 */
export function storableText(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\ufffd') : text;
}
