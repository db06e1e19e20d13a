/**
 * Checks that a value survives JSON (what every store keeps): plain objects, arrays,
 * strings, finite numbers, booleans and null, with bounded depth.
 * @module
 */
import { ValidationError } from './errors.js';

const MAX_DEPTH = 64;

/** Throws a ValidationError naming the first non-JSON value and its path. */
export function assertJson(value: unknown, path: string): void {
  const problem = findJsonProblem(value, path);
  if (problem) throw new ValidationError([problem], 'Invalid input');
}

/** The first non-JSON value in `value` and its path, or null. */
export function findJsonProblem(value: unknown, path: string): { path: string; message: string } | null {
  return find(value, path, 0, null);
}

function find(
  value: unknown,
  path: string,
  depth: number,
  seen: Set<object> | null,
): { path: string; message: string } | null {
  // undefined is stored as null (and skipped inside objects), as JSON does.
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean')
    return null;
  if (typeof value === 'number')
    return Number.isFinite(value) ? null : { path, message: `expected a finite number, got ${value}` };
  if (typeof value !== 'object') return { path, message: `expected a JSON value, got ${typeof value}` };
  if (depth >= MAX_DEPTH) return { path, message: `nested deeper than ${MAX_DEPTH} levels` };
  // The cycle guard is only allocated for values that have structure.
  if (!seen) return find(value, path, depth, new Set());
  if (seen.has(value)) return { path, message: 'contains a circular reference' };
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const p = find(value[i], `${path}[${i}]`, depth + 1, seen);
        if (p) return p;
      }
      return null;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      if (value instanceof Date) return null;
      return { path, message: `expected a plain object, got ${proto?.constructor?.name ?? 'an object'}` };
    }
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      const p = find(v, `${path}.${key}`, depth + 1, seen);
      if (p) return p;
    }
    return null;
  } finally {
    seen.delete(value);
  }
}
