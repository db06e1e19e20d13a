/**
 * Where in an expression its syntax error is, for the message refusing it: `at column 12` in a
 * one-line expression, `at line 3, column 5` in one of several lines, both from 1. The parser gives
 * an offset in UTF-16 code units; the column counts characters as they show (a grapheme cluster:
 * an emoji, with its skin tone or joined family, or a letter with its accent is one), so an
 * expression holding `'😀'` before the mistake is not one column off. A line ends at `\n`, `\r\n`
 * or `\r` (the parser refuses the three alike inside a quoted string).
 * @module
 */
import { ParseError } from '@marcbachmann/cel-js';

const LINE_BREAK = /\r\n|\r|\n/g;

/** Grapheme clusters: what shows as one character (the rules are the same in every locale). */
export const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The offset (UTF-16 code units) in the source where the library's parser stopped, or null when
 * the error is not a syntax error or gives no position.
 */
export function syntaxErrorOffset(error: unknown): number | null {
  if (!(error instanceof ParseError)) return null;
  const start = error.range?.start;
  return typeof start === 'number' ? start : null;
}

/**
 * ` at column 5` or ` at line 2, column 3` for `offset` in `source`, with ` (where the expression
 * ends)` when it is the end of the source; empty when `offset` is not a place in `source`, so a
 * message never names a place that is not there.
 */
export function expressionPlace(source: string, offset: number | null): string {
  if (offset === null || !Number.isInteger(offset) || offset < 0 || offset > source.length) return '';
  const end = offset === source.length ? ' (where the expression ends)' : '';
  let lineStart = 0;
  let lineNumber = 1;
  let lineEnd = source.length;
  for (const match of source.matchAll(LINE_BREAK)) {
    // An offset at a break (or between the `\r` and `\n` of one) is the end of its line.
    if (match.index + match[0].length > offset) {
      lineEnd = match.index;
      break;
    }
    lineStart = match.index + match[0].length;
    lineNumber++;
  }
  const column = columnOf(source.slice(lineStart, lineEnd), Math.min(offset, lineEnd) - lineStart);
  const multiLine = /[\r\n]/.test(source);
  return multiLine ? ` at line ${lineNumber}, column ${column}${end}` : ` at column ${column}${end}`;
}

/**
 * The column (from 1) of the character holding code unit `at` of `line` (`at` may be its length:
 * just past its last character). An offset inside a character (a combining mark the parser stopped
 * at, after the letter it joins) is that character's column.
 */
function columnOf(line: string, at: number): number {
  let before = 0;
  let reached = 0;
  for (const { segment, index } of GRAPHEMES.segment(line)) {
    if (index >= at) break;
    before++;
    reached = index + segment.length;
  }
  return reached > at ? before : before + 1;
}
