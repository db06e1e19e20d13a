/**
 * Deep copies of JSON values (what `findJsonProblem` accepts), so a value handed to user code
 * and the engine's own copy never share an object: a handler that mutates its input, or a caller
 * that mutates the object it passed, changes nothing the engine keeps.
 * @module
 */

/** A deep copy of a JSON value; primitives are returned as they are, at no cost. */
export function copyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i]);
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copy((value as Record<string, unknown>)[key]);
    // A plain assignment to `__proto__` would set the prototype instead of a key.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = item;
    }
  }
  return out;
}
