/**
 * The shape check of an options or filter object (`executeWorkflow`'s options,
 * `waitForCompletion`'s, `listExecutions`' filter, `close`'s): it must be an object, and a
 * misspelt key (`idempotencyKy`) is refused by name, as the config and definitions refuse theirs,
 * instead of being silently ignored.
 * @module
 */
import type { Issue } from './errors.js';

/** One issue per own key of `value` that is not in `known` (keys given as `undefined` are left out). */
export function unknownKeyIssues(value: object, known: readonly string[]): Issue[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key) && (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => ({ path: key, message: `unknown key '${key}'` }));
}

/**
 * The issues of an options object: one at `path` ("expected `expected`, got …") when it is not an
 * object (null and arrays included), else one per unknown key. Empty when it is fine.
 */
export function optionsIssues(
  value: unknown,
  known: readonly string[],
  where: { path: string; expected: string },
): Issue[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ path: where.path, message: `expected ${where.expected}, got ${JSON.stringify(value)}` }];
  }
  return unknownKeyIssues(value, known);
}
