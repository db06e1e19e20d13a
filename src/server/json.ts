/**
 * Turns engine results (which carry `Date`s) into the plain JSON the API returns: dates become
 * ISO 8601 strings, `undefined` fields are dropped.
 * @module
 */

/** A copy of `value` with every `Date` as an ISO string and `undefined` object fields removed. */
export function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined) continue;
      // A `__proto__` key (legal in JSON) must stay data, not become the copy's prototype.
      Object.defineProperty(out, key, {
        value: toJson(field),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
