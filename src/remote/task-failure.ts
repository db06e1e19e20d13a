/**
 * How the TypeScript remote worker reports a thrown error: its code, its message, and whether
 * the step may retry. Whatever was thrown, this never throws itself (a field's getter or a revoked
 * proxy's trap that throws is read as no field), or the slot would end with the task unreported.
 * @module
 */
import { stringField } from '../errors.js';
import { isNonRetryableError } from '../recovery/retry-policy.js';
import { textPrefix } from '../text-prefix.js';
import { ERROR_CODE_PATTERN, type FailRequest, MAX_FAIL_MESSAGE_LENGTH } from './protocol.js';

/**
 * `text` cut to the longest message a `fail` report may carry (a longer one is refused, 400, and
 * the task would wait out its lease), without splitting a surrogate pair.
 */
export function failMessage(text: string): string {
  return textPrefix(text, MAX_FAIL_MESSAGE_LENGTH);
}

/** A thrown value as text, as the engine words it; never throws (a null-prototype object has no `toString`). */
function textOf(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null ? (JSON.stringify(value) ?? '') : String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      // A revoked proxy: even its tag cannot be read.
      return 'a thrown value that cannot be described';
    }
  }
}

/** What a thrown value reports: its code, its message, and whether the step may retry. */
export function failureOf(error: unknown): FailRequest {
  const nonRetryable = isNonRetryableError(error);
  const code = stringField(error, 'code');
  const raw = stringField(error, 'message') ?? stringField(error, 'name') ?? '';
  const message = failMessage(raw || textOf(error));
  const kept = code !== undefined && ERROR_CODE_PATTERN.test(code) ? code : undefined;
  return { error: { message, ...(kept ? { code: kept } : {}) }, retryable: !nonRetryable };
}
