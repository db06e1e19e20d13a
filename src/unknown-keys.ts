/**
 * The unknown-key check of an options or filter object (`executeWorkflow`'s options,
 * `waitForCompletion`'s, `listExecutions`' filter): a misspelt key (`idempotencyKy`) is refused
 * by name, as the config and definitions refuse theirs, instead of being silently ignored.
 * @module
 */
import type { Issue } from './errors.js';

/** One issue per own key of `value` that is not in `known` (keys given as `undefined` are left out). */
export function unknownKeyIssues(value: object, known: readonly string[]): Issue[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key) && (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => ({ path: key, message: `unknown key '${key}'` }));
}
