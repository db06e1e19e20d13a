/**
 * Checks that a value survives JSON (what every store keeps): plain objects, arrays,
 * strings, finite numbers, booleans and null, with bounded depth.
 * @module
 */
import { ValidationError } from './errors.js';

const MAX_DEPTH = 64;

/** Throws a ValidationError naming the first non-JSON value and its path. */
export function assertJson(value: unknown, path: string): void {
  const problem = find(value, path, 0, new Set());
  if (problem) throw new ValidationError([problem], 'Invalid input');
}

function find(
  value: unknown,
  path: string,
  depth: number,
  seen: Set<object>,
): { path: string; message: string } | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number')
    return Number.isFinite(value) ? null : { path, message: `expected a finite number, got ${value}` };
  if (typeof value !== 'object') return { path, message: `expected a JSON value, got ${typeof value}` };
  if (depth >= MAX_DEPTH) return { path, message: `nested deeper than ${MAX_DEPTH} levels` };
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
