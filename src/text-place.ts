/**
 * The line and column (both from 1) of a place in a text, as an editor shows them: for the
 * messages that say where a request body, a definition file or an expression goes wrong. Parsers
 * give an offset in UTF-16 code units; the column counts characters as they show (a grapheme
 * cluster: an emoji, with its skin tone or joined family, or a letter with its accent is one), so
 * an emoji before the mistake does not put the column one or more too far. A line ends at `\n`,
 * `\r\n` or a lone `\r`.
 * @module
 */

const LINE_BREAK = /\r\n|\r|\n/g;

/** Grapheme clusters: what shows as one character (the rules are the same in every locale). */
export const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** A place in a text: its line and column, from 1. */
export interface TextPlace {
  readonly line: number;
  readonly column: number;
}

/**
 * The line and column of code unit `offset` of `text` (`offset` may be `text.length`: just past
 * its last character). An offset at a line break, or between the `\r` and `\n` of one, is the end
 * of its line; one inside a character (a combining mark after the letter it joins) is that
 * character's column.
 */
export function textPlace(text: string, offset: number): TextPlace {
  let lineStart = 0;
  let line = 1;
  let lineEnd = text.length;
  for (const match of text.matchAll(LINE_BREAK)) {
    if (match.index + match[0].length > offset) {
      lineEnd = match.index;
      break;
    }
    lineStart = match.index + match[0].length;
    line++;
  }
  return { line, column: columnOf(text.slice(lineStart, lineEnd), Math.min(offset, lineEnd) - lineStart) };
}

/** True when `text` holds a line break. */
export function isMultiLine(text: string): boolean {
  return /[\r\n]/.test(text);
}

/** Text where each code unit shows as one character of its own (no line breaks here). */
const ONE_UNIT_EACH = /^[\x20-\x7e\t]*$/;

/**
 * The column (from 1) of the character holding code unit `at` of `line`. Printable ASCII up to
 * and with `at` is one column a unit, without segmenting (a megabyte-long line of JSON stays fast); else
 * only the text up to the character at `at` is segmented (a boundary depends on what comes
 * before it and on the character after it, not on anything further).
 */
function columnOf(line: string, at: number): number {
  if (ONE_UNIT_EACH.test(line.slice(0, at + 1))) return at + 1;
  let before = 0;
  let reached = 0;
  for (const { segment, index } of GRAPHEMES.segment(line.slice(0, at + 2))) {
    if (index >= at) break;
    before++;
    reached = index + segment.length;
  }
  return reached > at ? before : before + 1;
}
