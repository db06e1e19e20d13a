/**
 * The shape check of an options or filter object (`executeWorkflow`'s options,
 * `waitForCompletion`'s, `listExecutions`' filter, `close`'s): it must be an object whose keys
 * and values can be read (a getter or a `Proxy` trap that throws is named, not thrown on), and a
 * misspelt key (`idempotencyKy`) is refused by name, as the config and definitions refuse theirs,
 * instead of being silently ignored.
 * @module
 */
import { didYouMean } from './closest-name.js';
import { describeValue } from './describe-value.js';
import { echo } from './echo.js';
import { errorMessage, type Issue, ValidationError } from './errors.js';
import { notPlainObject } from './plain-object.js';

/**
 * The default of an options parameter the caller left out (`options = NO_OPTIONS`): one shared,
 * frozen, empty object that {@link optionsIssues} accepts after reading only its known keys (as
 * `{}`'s: through Object.prototype), so a call made without options (`executeWorkflow(id, input)`,
 * `waitForCompletion(id)`) allocates nothing to check them.
 */
export const NO_OPTIONS: Readonly<Record<string, never>> = Object.freeze({});

/**
 * One issue per own key of `value` that is not in `known` (keys given as `undefined` are left out),
 * or, when reading a key or a value throws (a getter, a `Proxy` trap), one issue naming it instead:
 * the caller then refuses the object before reading it again.
 */
export function unknownKeyIssues(value: object, known: readonly string[]): Issue[] {
  const unreadable = unreadableIssues(value, known);
  return unreadable.length > 0 ? unreadable : unknownOf(value, known);
}

/** One issue per own key of `value` (readable) that is not in `known` and not given as `undefined`. */
function unknownOf(value: object, known: readonly string[]): Issue[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key) && (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => ({ path: key, message: `unknown key ${echo(key)}${didYouMean(key, known)}` }));
}

/**
 * Issues for what cannot be read of `value`: its list of keys (path `''`), or the value of one of
 * its own keys or of a `known` key (`path` the key). Empty when every read succeeds.
 */
export function unreadableIssues(value: object, known: readonly string[]): Issue[] {
  const cannot = (path: string, error: unknown): Issue => ({
    path,
    message: `could not be read (${errorMessage(error)})`,
  });
  let keys: string[];
  try {
    // A revoked Proxy throws even here, where the callers' shape checks ask.
    Array.isArray(value);
    keys = Object.keys(value);
  } catch (error) {
    return [cannot('', error)];
  }
  const issues: Issue[] = [];
  // Each key read once: its own keys, then the known ones it does not have (no Set to build:
  // `executeWorkflow` asks this on every call given options).
  const read = (key: string) => {
    try {
      void (value as Record<string, unknown>)[key];
    } catch (error) {
      issues.push(cannot(key, error));
    }
  };
  for (const key of keys) read(key);
  for (const key of known) if (!keys.includes(key)) read(key);
  return issues;
}

/**
 * The issues of an options object: one at `path` ("expected `expected`, got …") when it is not an
 * object (null and arrays included), else one per unreadable or unknown key. Empty when it is fine.
 */
export function optionsIssues(
  value: unknown,
  known: readonly string[],
  where: { path: string; expected: string },
): Issue[] {
  if (value === NO_OPTIONS) {
    // No keys of its own, but its known keys read through Object.prototype as `{}`'s did: a
    // getter put there that throws is named as for `{}` (the full check runs only then).
    for (const key of known) {
      try {
        void (NO_OPTIONS as Record<string, unknown>)[key];
      } catch {
        return unreadableIssues(NO_OPTIONS, known);
      }
    }
    return [];
  }
  if (value !== null && typeof value === 'object') {
    const unreadable = unreadableIssues(value, known);
    if (unreadable.length > 0) return unreadable;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ path: where.path, message: `expected ${where.expected}, got ${describeValue(value)}` }];
  }
  // A Map or a class instance (URLSearchParams) would be read as empty: its entries ignored.
  let kind: string | null;
  try {
    kind = notPlainObject(value);
  } catch (error) {
    return [{ path: where.path, message: `could not be read (${errorMessage(error)})` }];
  }
  if (kind !== null) return [{ path: where.path, message: `expected ${where.expected}, got ${kind}` }];
  // Readable: checked above (once: `executeWorkflow` asks this on every call).
  return unknownOf(value, known);
}

/**
 * Throws a ValidationError (`title`) naming what cannot be read of an options object (see
 * {@link unreadableIssues}), for the checks that read its values right after; a non-object is
 * left to the caller's own shape check.
 */
export function assertReadable(value: unknown, known: readonly string[], title: string): void {
  if (value === null || typeof value !== 'object') return;
  const issues = unreadableIssues(value, known);
  if (issues.length > 0) throw new ValidationError(issues, title);
}
