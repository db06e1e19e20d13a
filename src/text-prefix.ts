/**
 * The start of a text cut to a length, never splitting a surrogate pair (a lone half is not
 * text: it would be stored or sent as U+FFFD, or refused).
 * @module
 */

/** `text` itself when at most `max` characters long, else its first `max` (or `max - 1`) characters. */
export function textPrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
