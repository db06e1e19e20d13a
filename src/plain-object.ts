/**
 * Whether an object is plain data (`{ ... }`, `Object.create(null)`, a module namespace), and
 * what it is when it is not: the checks of a definition and of the config's objects read only
 * own enumerable keys, so a `Map` (its entries), a class instance (its methods, on the prototype)
 * or an object inheriting its keys would be read as empty, without a word.
 * @module
 */
import { errorMessage, type Issue } from './errors.js';

/**
 * What `value` is when it is not a plain object or an array, for a "got …" message: `a Map`,
 * `a Handlers` (an instance of a class), `an object with a prototype of its own`; null when it is
 * an array or an object whose prototype is `Object.prototype` or null.
 * @throws what a Proxy's `getPrototypeOf` trap (or a `constructor` getter) throws.
 */
export function notPlainObject(value: object): string | null {
  if (Array.isArray(value)) return null;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return null;
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object'
    ? `a ${name}`
    : 'an object with a prototype of its own';
}

/**
 * The issue at `path` of a config object (`value`, an object) that is not plain: "Expected
 * `<label>` to be <expected>, got a Map"; one naming what could not be read when asking throws;
 * null when it is plain.
 */
export function plainObjectIssue(value: object, path: string, label: string, expected: string): Issue | null {
  try {
    const what = notPlainObject(value);
    return what === null ? null : { path, message: `Expected ${label} to be ${expected}, got ${what}` };
  } catch (error) {
    return { path, message: `could not be read (${errorMessage(error)})` };
  }
}
