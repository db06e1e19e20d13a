/**
 * Where in an expression its syntax error is, for the message refusing it: `at column 12` in a
 * one-line expression, `at line 3, column 5` in one of several lines, both from 1, counted as
 * `text-place.ts` counts them (characters as they show; a line ends at `\n`, `\r\n` or `\r`, which
 * the parser refuses alike inside a quoted string).
 * @module
 */
import { ParseError } from '@marcbachmann/cel-js';
import { isMultiLine, textPlace } from '../text-place.js';

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
  const { line, column } = textPlace(source, offset);
  return isMultiLine(source) ? ` at line ${line}, column ${column}${end}` : ` at column ${column}${end}`;
}
