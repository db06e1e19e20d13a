/**
 * What a start's idempotency key may be, checked by `executeWorkflow` and, before a store opens,
 * by `orchestrator run --idempotency-key`.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { unstorableText } from '../storable-text.js';

/** The longest key, in UTF-16 code units (JavaScript's `length`). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** Why `key` cannot be an idempotency key, or null when it can. */
export function idempotencyKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return `expected a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${describeValue(key)}`;
  }
  const unstorable = unstorableText(key);
  return unstorable === null ? null : `cannot be stored as given: it ${unstorable}`;
}
