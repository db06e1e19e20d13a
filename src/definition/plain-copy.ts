/**
 * The first thing `validateDefinition` does: a plain copy of the caller's definition, reading
 * each property exactly once. Every later check (the schemas, names, jump targets, expressions)
 * reads the copy, so a getter or a `Proxy` that answers differently on each read cannot pass
 * one check and hand another value to the next (a definition that validated but did not
 * compile was stored, and the store then failed every start). A read that throws, a circular
 * reference, a function or an object that is not plain data is an issue at its path
 * (`steps[2].timeout`).
 * @module
 */
import { errorMessage, type Issue } from '../errors.js';
import { notPlainObject } from '../plain-object.js';
import { MAX_STEPS } from './schema.js';

/**
 * Containers nested this deep are replaced by empty ones without being read: a definition's
 * deepest container (`steps[i].parallel[j].retry.nonRetryable`) is at depth 5, so anything
 * here is refused anyway, by the type the schema expects at a shallower level.
 */
const MAX_COPY_DEPTH = 8;

/**
 * Copies `value` (found at `path`) into fresh arrays and plain objects (own enumerable string
 * keys; a `__proto__` key stays data). Other primitives are kept as they are for the schemas to
 * check (`undefined`, `NaN`); a function, symbol or bigint is an issue. An object reached twice is copied once; a list longer than
 * `MAX_STEPS` becomes one of the same length without items.
 * @returns the copy, or null when an issue was pushed.
 */
export function plainCopy(value: unknown, path: string, issues: Issue[]): { value: unknown } | null {
  const before = issues.length;
  const copies = new Map<object, unknown>();
  const ancestors = new Set<object>();

  const copy = (item: unknown, at: string, depth: number): unknown => {
    if (typeof item === 'function' || typeof item === 'symbol' || typeof item === 'bigint') {
      issues.push({ path: at, message: `must be JSON data, got a ${typeof item}` });
      return null;
    }
    if (item === null || typeof item !== 'object') return item;
    try {
      if (ancestors.has(item)) {
        issues.push({ path: at, message: 'contains a circular reference' });
        return null;
      }
      if (copies.has(item)) return copies.get(item);
      const what = notPlainObject(item);
      if (what !== null) {
        issues.push({ path: at, message: `must be plain JSON data, got ${what}` });
        return null;
      }
      const kind = Array.isArray(item) ? 'array' : 'object';
      if (depth >= MAX_COPY_DEPTH) return kind === 'array' ? [] : {};
      ancestors.add(item);
      const out = kind === 'array' ? copyArray(item as unknown[], at, depth) : copyObject(item, at, depth);
      ancestors.delete(item);
      copies.set(item, out);
      return out;
    } catch (error) {
      ancestors.delete(item);
      issues.push({ path: at, message: `could not be read: ${errorMessage(error)}` });
      return null;
    }
  };

  const copyArray = (array: unknown[], at: string, depth: number): unknown[] => {
    const length = array.length;
    // Every list of a definition holds at most MAX_STEPS items: a longer one is refused by its
    // length alone, so its items are not read (holes of the same length).
    if (length > MAX_STEPS) return new Array<unknown>(length);
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) out.push(read(array, i, `${at}[${i}]`, depth));
    return out;
  };

  const copyObject = (object: object, at: string, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      const item = read(object, key, at === '' ? key : `${at}.${key}`, depth);
      // Defined, not assigned: an assignment to `__proto__` would set the prototype.
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };

  /** One read of `container[key]`; a throwing getter or trap is an issue at that key's path. */
  const read = (container: object, key: string | number, at: string, depth: number): unknown => {
    let item: unknown;
    try {
      item = (container as Record<string | number, unknown>)[key];
    } catch (error) {
      issues.push({ path: at, message: `could not be read: ${errorMessage(error)}` });
      return null;
    }
    return copy(item, at, depth + 1);
  };

  const result = copy(value, path, 0);
  return issues.length === before ? { value: result } : null;
}
