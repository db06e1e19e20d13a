/**
 * How an argument check shows the value it refuses: a string quoted (so `'150'` is not mistaken
 * for the number it spells), an array as such, anything else as `String()` gives it — and a value
 * `String()` cannot convert (an object without a prototype) as "an object", never a TypeError.
 * @module
 */

/** `value` as text for a "got …" message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  try {
    return String(value);
  } catch {
    return 'an object';
  }
}
