/**
 * How an argument check shows the value it refuses: a string quoted (so `'150'` is not mistaken
 * for the number it spells), a function, array or object by its kind (never its source or
 * `[object Object]`), anything else as `String()` gives it.
 * @module
 */

/** `value` as text for a "got …" message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
