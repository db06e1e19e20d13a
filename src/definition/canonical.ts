/**
 * The canonical form of a definition, which tells whether a redefinition changed anything: two
 * definitions that differ only in form (object keys in another order, `undefined` values, a
 * default written out that is the same whatever the config) have the same canonical JSON, so
 * defining the second returns the version stored for the first instead of storing a new one.
 *
 * Only defaults that are fixed are left out: `action` equal to the step's name, `retry: false`,
 * `retry: {}` (read as `true`), `backoffCoefficient: 2`, `nonRetryable: []`, and `initialDelay: 1`
 * beside a `maxDelay` (without one, an `initialDelay` given raises the cap to it, so `1` differs
 * from no value when `retryDelay` is below a second). Defaults that come from the config
 * (`maxAttempts`, `maxDelay`, the workflow `timeout`) are kept: the config can change, and a
 * version that leaves them out follows it. Lists keep their order. Expressions (`input`,
 * `condition`) are compared without the white space that separates nothing (`input.x>1` is
 * `input.x > 1`; see `expression-canonical.ts`); the text inside their string literals counts.
 *
 * Stored versions are read as they were written and put in this form too, so a version stored
 * before this form existed compares as one stored after.
 * @module
 */
import { canonicalExpression } from './expression-canonical.js';
import { DEFAULT_BACKOFF_COEFFICIENT, DEFAULT_INITIAL_DELAY } from './plan.js';
import type { StepDefinition, WorkflowOptions } from './types.js';

type Plain = Record<string, unknown>;

/** Whether an object is an action step (or a branch), read as `eachKey` reads steps. */
function isActionStep(holder: Plain): boolean {
  return typeof holder.name === 'string' && !('condition' in holder) && !('parallel' in holder);
}

/**
 * Whether `item`, the value of `key` in the object `holder`, is a fixed default written out:
 * `action` and `retry` of an action step, the others of `retry` options (`inRetry`). A stored
 * version with keys this release does not know keeps them, so it never compares equal to a
 * definition this release accepts.
 */
function isFixedDefault(holder: Plain, key: string, item: unknown, inRetry: boolean): boolean {
  if (item === undefined) return true;
  if (inRetry) {
    switch (key) {
      case 'backoffCoefficient':
        return item === DEFAULT_BACKOFF_COEFFICIENT;
      case 'nonRetryable':
        return Array.isArray(item) && item.length === 0;
      case 'initialDelay':
        // Without a maxDelay, an initialDelay given raises the cap to it (see `compileRetry`).
        return item === DEFAULT_INITIAL_DELAY && holder.maxDelay !== undefined;
      default:
        return false;
    }
  }
  if (key === 'action') return item === holder.name && isActionStep(holder);
  return key === 'retry' && item === false && isActionStep(holder);
}

/** Whether `retry` options hold nothing but fixed defaults (so they mean `retry: true`). */
function onlyFixedDefaults(retry: Plain): boolean {
  for (const key of Object.keys(retry)) if (!isFixedDefault(retry, key, retry[key], true)) return false;
  return true;
}

/**
 * A stable JSON string of a definition's steps and options in canonical form (object keys sorted,
 * undefined values and fixed defaults left out, `retry` options holding only fixed defaults
 * written `true`, expressions without the white space that separates nothing), so two definitions
 * that differ only in form compare equal. It copies nothing but what `JSON.stringify` needs to
 * sort keys.
 */
export function canonicalDefinitionJson(
  steps: readonly StepDefinition[],
  options: WorkflowOptions | undefined,
): string {
  // A version stored without options (null) reads as `{}`, as `readStored` reads it.
  return JSON.stringify({ options: options ?? {}, steps }, function (this: Plain, key, value: unknown) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const holder = value as Plain;
    // `this` is the object holding `value` (as sorted below): retry options are an action step's `retry`.
    const inRetry = key === 'retry' && isActionStep(this);
    const sorted: Plain = {};
    for (const name of Object.keys(holder).sort()) {
      let item = holder[name];
      if (isFixedDefault(holder, name, item, inRetry)) continue;
      if (name === 'retry' && isObject(item) && isActionStep(holder) && onlyFixedDefaults(item)) item = true;
      if (isExpression(holder, name, item)) item = canonicalExpression(item);
      if (name === '__proto__') {
        Object.defineProperty(sorted, name, {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        sorted[name] = item;
      }
    }
    return sorted;
  });
}

/** Whether `item`, the value of `key` in `holder`, is a step's expression (`input` or `condition`). */
function isExpression(holder: Plain, key: string, item: unknown): item is string {
  return (
    (key === 'input' || key === 'condition') && typeof item === 'string' && typeof holder.name === 'string'
  );
}

function isObject(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
