/**
 * Exponential backoff as a pure function of the policy and the retry number. No jitter: the
 * SPEC asks for exact delays (1 s, 2 s, 4 s, ...), and durable retries are scheduled from the
 * store, so a thundering herd is not a concern here.
 * @module
 */

/** The part of a retry policy that shapes the delays. Any time unit works; the result is in the same unit. */
export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Multiplier between consecutive delays (1 gives a constant delay). */
  backoffCoefficient: number;
  /** Cap on one delay. */
  maxDelayMs: number;
}

/**
 * Delay before retry `retryNumber` (1 for the first retry):
 * `min(initialDelayMs × backoffCoefficient^(retryNumber − 1), maxDelayMs)`.
 *
 * A retry number below 1 (or NaN) counts as 1. When the power overflows (a huge retry number,
 * `Infinity`), the result is `maxDelayMs`, never `Infinity` or `NaN`.
 */
export function backoffDelayMs(policy: BackoffPolicy, retryNumber: number): number {
  const { initialDelayMs, backoffCoefficient, maxDelayMs } = policy;
  const n = retryNumber >= 1 ? Math.floor(retryNumber) : 1;
  // 0 × c^k is 0 however large k is; computing it could give 0 × Infinity = NaN.
  if (initialDelayMs === 0) return Math.min(0, maxDelayMs);
  const raw = initialDelayMs * backoffCoefficient ** (n - 1);
  if (Number.isNaN(raw) || raw >= maxDelayMs) return maxDelayMs;
  return raw;
}
