/**
 * How an argument check shows the value it refuses: a string quoted (so `'150'` is not mistaken
 * for the number it spells), a function, array, Date or object by its kind (never its source or
 * `[object Object]`), a bigint with its `n`, anything else as `String()` gives it; or, for "expected a …" messages, only
 * the value's kind.
 * @module
 */

import { echo } from './echo.js';

/** `value` as text for a "got …" message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return echo(value, JSON.stringify);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  // A Date is an object too, but "expected a valid Date, got an object" for `new Date(NaN)` misleads.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  if (value !== null && typeof value === 'object') return 'an object';
  // `5n`, not `5`: "expected a positive integer, got 5" read as a valid value refused.
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/**
 * The kind of `value` for an "expected …, got …" message: `null`, `undefined`, `an array`, `an
 * object`, `a string`, …; a promise (an `await` forgotten) is named as one.
 */
export function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise (missing await?)';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
