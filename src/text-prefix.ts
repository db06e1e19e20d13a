/**
 * The start of a text cut to a length, never splitting a surrogate pair (a lone half is not
 * text: it would be stored or sent as U+FFFD, or refused).
 * @module
 */
import { isHigh } from './surrogates.js';

/** `text` itself when at most `max` characters long, else its first `max` (or `max - 1`) characters. */
export function textPrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, isHigh(code) ? max - 1 : max);
}
