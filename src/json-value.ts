/**
 * Checks that a value survives JSON (what every store keeps): plain objects, arrays,
 * strings, finite numbers, booleans and null, with bounded depth; and takes the engine's own
 * copy of such a value in the same walk, shaped as the stores give it back (a `Date` becomes its
 * JSON string, `undefined` is dropped from objects and is `null` in arrays), so the memory store
 * answers what SQLite and PostgreSQL answer.
 *
 * The walk builds nothing for a value that passes but the copy: the path of a problem is put
 * together only when one is found.
 * @module
 */
import { ValidationError } from './errors.js';

const MAX_DEPTH = 64;

/** A value that cannot be stored as JSON, and where in the checked value it sits. */
export interface JsonProblem {
  path: string;
  message: string;
}

/** Throws a ValidationError naming the first non-JSON value and its path. */
export function assertJson(value: unknown, path: string): void {
  const problem = findJsonProblem(value, path);
  if (problem) throw new ValidationError([problem], 'Invalid input');
}

/** The first non-JSON value in `value` and its path, or null. */
export function findJsonProblem(value: unknown, path: string): JsonProblem | null {
  return walkJson(value, path, false).problem;
}

/**
 * The engine's own copy of a JSON value (see the module), or the first problem in it. A
 * primitive is its own copy.
 */
export function copyCheckedJson(
  value: unknown,
  path: string,
): { value: unknown; problem: null } | { value: undefined; problem: JsonProblem } {
  return walkJson(value, path, true);
}

/** Like `copyCheckedJson`, throwing a ValidationError (`title`) that names the problem. */
export function copyJsonOrThrow(value: unknown, path: string, title = 'Invalid input'): unknown {
  const out = walkJson(value, path, true);
  if (out.problem) throw new ValidationError([out.problem], title);
  return out.value;
}

/** Thrown inside the walk, caught at its top: the message; the path comes from the walk's stack. */
class Found {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** The walk's stack: keys from the root to the value being visited, and the objects on the way. */
interface Trail {
  keys: (string | number)[];
  objects: object[];
  copy: boolean;
}

function walkJson(
  value: unknown,
  path: string,
  copy: boolean,
): { value: unknown; problem: null } | { value: undefined; problem: JsonProblem } {
  // Primitives need no stack (and most step outputs of no-op steps are small objects).
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') {
    return { value, problem: null };
  }
  const trail: Trail = { keys: [], objects: [], copy };
  try {
    return { value: visit(value, trail), problem: null };
  } catch (error) {
    if (!(error instanceof Found)) throw error;
    let at = path;
    for (const key of trail.keys) at += typeof key === 'number' ? `[${key}]` : `.${key}`;
    return { value: undefined, problem: { path: at, message: error.message } };
  }
}

function visit(value: unknown, trail: Trail): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new Found(`expected a finite number, got ${value}`);
  }
  // undefined is stored as null (and skipped inside objects), as JSON does.
  if (value === undefined) return null;
  if (typeof value !== 'object') throw new Found(`expected a JSON value, got ${typeof value}`);
  const { keys, objects } = trail;
  if (objects.length >= MAX_DEPTH) throw new Found(`nested deeper than ${MAX_DEPTH} levels`);
  if (objects.includes(value)) throw new Found('contains a circular reference');
  if (Array.isArray(value)) {
    const out: unknown[] | null = trail.copy ? new Array(value.length) : null;
    objects.push(value);
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      const item = visit(value[i], trail);
      if (out) out[i] = item;
      keys.pop();
    }
    objects.pop();
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    // What JSON makes of a date: its ISO string (null for an invalid one).
    if (value instanceof Date) return trail.copy ? value.toJSON() : value;
    throw new Found(`expected a plain object, got ${proto?.constructor?.name ?? 'an object'}`);
  }
  const out: Record<string, unknown> | null = trail.copy ? {} : null;
  objects.push(value);
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    keys.push(key);
    const item = visit(v, trail);
    keys.pop();
    if (!out) continue;
    // A plain assignment to `__proto__` would set the prototype instead of a key.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = item;
    }
  }
  objects.pop();
  return out ?? value;
}

/** A copy of a value already checked (a recorded output, the execution's input). */
export function copyJson<T>(value: T): T {
  return walkJson(value, '', true).value as T;
}
