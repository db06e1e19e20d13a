/**
 * The retry decision: whether a failed attempt may run again under a step's policy, and how
 * long to wait before it does.
 * @module
 */
import type { RetryPolicy } from '../definition/types.js';
import { errorCode, NonRetryableError, stringField } from '../errors.js';
import { backoffDelayMs } from './backoff.js';

/**
 * Error codes that are never retried, whatever the policy says: a missing handler, a broken
 * expression and bad input fail the same way every time, and a cancelled step must stop.
 */
export const NEVER_RETRIED_CODES: ReadonlySet<string> = new Set([
  'ACTION_NOT_FOUND',
  'EXPRESSION_ERROR',
  'VALIDATION',
  'CANCELLED',
]);

/**
 * Whether a step that failed with `error` may be retried.
 *
 * False when there is no policy, when `retriesTaken` has reached `policy.maxAttempts`, when the
 * error asks not to be retried (see {@link isNonRetryableError}) or carries one of
 * {@link NEVER_RETRIED_CODES}, or when the
 * error's `name`, class name or string `code` is listed in `policy.nonRetryable`.
 *
 * @param retriesTaken Retries already run for this step (0 after the first failure).
 */
export function isRetryable(error: unknown, policy: RetryPolicy | null, retriesTaken: number): boolean {
  if (policy === null) return false;
  if (!(retriesTaken < policy.maxAttempts)) return false;
  if (isNonRetryableError(error)) return false;
  const code = errorCode(error);
  if (code !== undefined && NEVER_RETRIED_CODES.has(code)) return false;
  if (policy.nonRetryable.length > 0) {
    if (code !== undefined && policy.nonRetryable.includes(code)) return false;
    const name = errorName(error);
    if (name !== undefined && policy.nonRetryable.includes(name)) return false;
    const className = errorClassName(error);
    if (className !== undefined && policy.nonRetryable.includes(className)) return false;
  }
  return true;
}

/**
 * Milliseconds to wait before retry `retryNumber` (1 for the first retry) under `policy`, rounded
 * to a whole millisecond: the retry time is stored and shown in whole milliseconds like every other
 * time of the engine, and a coefficient such as 1.5 gives fractions (1001 × 1.5 = 1501.5), whose
 * retry ran a millisecond after the time its step showed.
 */
export function nextRetryDelayMs(policy: RetryPolicy, retryNumber: number): number {
  return Math.round(backoffDelayMs(policy, retryNumber));
}

/**
 * The class of an error object (`class PaymentDeclined extends Error {}` keeps the name `Error`,
 * but users list the class, as Temporal matches it); not for plain objects.
 */
function errorClassName(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  let ctor: unknown;
  try {
    ctor = (error as { constructor?: unknown }).constructor;
  } catch {
    return undefined;
  }
  if (typeof ctor !== 'function' || ctor === Object) return undefined;
  return stringField(ctor, 'name');
}

function errorName(error: unknown): string | undefined {
  return stringField(error, 'name');
}

/**
 * Whether a thrown value asks not to be retried: a {@link NonRetryableError}, also one of another
 * copy of this package (a handlers module that imports its own `orchestrator`), known by its name,
 * or any error with `retryable: false`. The same test the remote worker applies before it reports
 * a failure, so a handler fails the same way in this process and in a remote worker. False when a
 * check itself throws (a proxy's trap).
 */
export function isNonRetryableError(error: unknown): boolean {
  if (!error || (typeof error !== 'object' && typeof error !== 'function')) return false;
  try {
    if (error instanceof NonRetryableError) return true;
  } catch {
    // A proxy whose getPrototypeOf trap throws: judged by its fields below.
  }
  if (stringField(error, 'name') === 'NonRetryableError') return true;
  try {
    return (error as { retryable?: unknown }).retryable === false;
  } catch {
    return false;
  }
}
