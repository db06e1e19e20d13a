/**
 * How the TypeScript remote worker reports a thrown error: its code, its message, and whether
 * the step may retry.
 * @module
 */
import { isNonRetryableError } from '../recovery/retry-policy.js';
import { ERROR_CODE_PATTERN, type FailRequest } from './protocol.js';

/** A thrown value as text, as the engine words it; never throws (a null-prototype object has no `toString`). */
function textOf(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null ? (JSON.stringify(value) ?? '') : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** What a thrown value reports: its code, its message, and whether the step may retry. */
export function failureOf(error: unknown): FailRequest {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | null;
  const nonRetryable = isNonRetryableError(error);
  const code = typeof e?.code === 'string' && ERROR_CODE_PATTERN.test(e.code) ? e.code : undefined;
  const raw =
    typeof e?.message === 'string' && e.message ? e.message : typeof e?.name === 'string' ? e.name : '';
  const message = (raw || textOf(error)).slice(0, 8192);
  return { error: { message, ...(code ? { code } : {}) }, retryable: !nonRetryable };
}
