/**
 * A failure that says when to try again: an error whose `retryAfter` is a number of seconds (the
 * built-in `http` action sets it from a 429 or 503 response's `Retry-After` header; a handler may
 * set it on the error it throws) is retried no sooner than that, the step's backoff still the
 * shortest wait. A server asking for 30 s was called again after 1, 2 and 4 s, each call one more
 * refusal (and, for a rate limit, a longer penalty).
 * @module
 */

/** The longest wait a `retryAfter` asks for that is kept, seconds (a longer one waits this long). */
export const MAX_RETRY_AFTER_S = 3600;

/**
 * The wait `error` asks for before its retry, ms (at most {@link MAX_RETRY_AFTER_S}), or 0 when it
 * asks for none: no `retryAfter`, or one that is not a finite number of seconds from 0.
 */
export function retryAfterMs(error: unknown): number {
  if (error === null || typeof error !== 'object') return 0;
  let value: unknown;
  try {
    value = (error as { retryAfter?: unknown }).retryAfter;
  } catch {
    return 0;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return Math.ceil(Math.min(value, MAX_RETRY_AFTER_S) * 1000);
}

/** The retry delay, ms: the policy's backoff `backoffMs`, or longer when `error` asks for it. */
export function retryDelayWith(backoffMs: number, error: unknown): number {
  return Math.max(backoffMs, retryAfterMs(error));
}

/**
 * The seconds a `Retry-After` header value asks for (RFC 9110 §10.2.3): a number of seconds, or an
 * HTTP date counted from `now` (ms); null for no header or one that is neither (ignored).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d{1,10}$/.test(text)) return Number(text);
  // An HTTP date names its day and month in letters (`Wed, 21 Oct 2015 07:28:00 GMT`).
  if (!/^[A-Za-z]{3},? /.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
