/**
 * `timestamp()` of RFC 3339 text, as CEL reads it. The library handed the text to JavaScript's
 * `Date` if it had 20 to 30 characters: Python's `isoformat()` (`'2024-03-10T15:04:05.123456+00:00'`,
 * 32) failed, and `Date` rolled an impossible day over into the next month (`'2023-02-29T00:00:00Z'`
 * was March 1, `'2024-04-31...'` May 1, `T24:00:00` the next day), so a condition decided on a date no
 * one sent. {@link guardTimestampText} reads text with an offset itself (to the millisecond, as before)
 * and fails on a date that does not exist. Text without an offset (`'2024-01-01T00:00:00'`) was read in
 * the server's time zone, so a condition on it decided differently from one server to another; CEL
 * needs the offset, and such text fails now, as does any other text `Date` would read in that zone
 * (`'March 10, 2024 15:04:05'`). An HTTP date (`'Sun, 10 Mar 2024 15:04:05 GMT'`), which a step's data
 * may hold and names its zone, still goes to the library; a literal in a new definition must be RFC 3339
 * with an offset ({@link findTimestampLiteralProblem}).
 * @module
 */
import { echo } from '../echo.js';
import {
  type CelNode,
  callName,
  type FunctionHandle,
  firstNodeProblem,
  forEachNode,
  type HandledNode,
  isNode,
} from './cel-ast.js';

/** A date and time as RFC 3339 writes them (a space for the `T` too), the offset left optional. */
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|([+-])(\d\d):?(\d\d))?$/;

/** An HTTP (RFC 1123 or 2822) date with its zone, which `Date` reads whatever the server's time zone. */
const HTTP_DATE =
  /^(?:[A-Za-z]{3}, )?\d{1,2} [A-Za-z]{3} \d{4} \d\d:\d\d(?::\d\d)? (?:GMT|UTC|UT|Z|[+-]\d{4})$/;

/** RFC 3339 itself: `T` between date and time, and an offset. */
const RFC_3339 = /^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)$/;

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * What `text` names: an instant, null when it is an HTTP date (left to the library), or why it
 * names none.
 */
function readDateTime(text: string): { instant: Date } | { why: string } | null {
  const parts = DATE_TIME.exec(text);
  if (parts === null) {
    if (HTTP_DATE.test(text)) return null;
    return { why: "it is not RFC 3339 text ('2024-03-10T15:04:05Z', or an offset such as +01:00 for the Z)" };
  }
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [fraction, zone, sign, offsetHours, offsetMinutes] = parts.slice(7) as (string | undefined)[];
  if (month < 1 || month > 12) return { why: `there is no month ${month}` };
  const days = daysIn(year, month);
  if (day < 1 || day > days) return { why: `${MONTHS[month - 1]} ${year} has ${days} days, not ${day}` };
  if (hour > 23 || minute > 59 || second > 59) return { why: 'the time of day is past 23:59:59' };
  if (Number(offsetHours ?? 0) > 23 || Number(offsetMinutes ?? 0) > 59)
    return { why: 'the offset is past 23:59' };
  if (zone === undefined) {
    return {
      why: "it has no offset: write Z or one such as +01:00 ('2024-03-10T15:04:05Z'); it is not read in the server's time zone",
    };
  }
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours ?? 0) * 60 + Number(offsetMinutes ?? 0));
  // Milliseconds, the rest cut off, as `Date` reads them.
  const millis = Number((fraction ?? '').slice(0, 3).padEnd(3, '0'));
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute - offset, second, millis);
  return { instant };
}

function guardNode(node: HandledNode<FunctionHandle>): void {
  const library = node.handle;
  if (typeof library !== 'function' || callName(node) !== 'timestamp') return;
  node.handle = (values, self, ev) => {
    const text = values[0];
    const read = typeof text === 'string' && values.length === 1 ? readDateTime(text) : null;
    if (read === null) return library(values, self, ev);
    if ('why' in read) throw new Error(`timestamp() of ${echo(String(text))}: ${read.why}`);
    return read.instant;
  };
}

/** Makes the `timestamp()` calls of `ast` (a checked expression) read RFC 3339 text as CEL does. */
export function guardTimestampText(ast: unknown): void {
  forEachNode(ast, guardNode);
}

/** The first `timestamp()` in `ast` of a literal that is not RFC 3339 with an offset, as a problem; or null. */
export function findTimestampLiteralProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, (node: CelNode) => {
    if (callName(node) !== 'timestamp') return null;
    const args: unknown = (node.args as unknown[])[1];
    if (!Array.isArray(args) || args.length !== 1) return null;
    const arg: unknown = args[0];
    if (!isNode(arg) || arg.op !== 'value' || typeof arg.args !== 'string') return null;
    if (RFC_3339.test(arg.args)) return null;
    return `timestamp('${arg.args}') is not RFC 3339 text with an offset (write '2024-03-10T15:04:05Z' or '...+01:00')`;
  });
}
