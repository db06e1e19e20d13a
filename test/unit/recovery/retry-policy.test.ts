import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../../../src/definition/types.js';
import {
  ActionNotFoundError,
  ExpressionError,
  NonRetryableError,
  OrchestratorError,
  ValidationError,
} from '../../../src/errors.js';
import { isRetryable, nextRetryDelayMs } from '../../../src/recovery/retry-policy.js';

const policy: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 1000,
  backoffCoefficient: 2,
  maxDelayMs: 5000,
  nonRetryable: [],
};

class RateLimitError extends Error {
  override name = 'RateLimitError';
}

describe('isRetryable', () => {
  it('retries an ordinary error while retries remain', () => {
    expect(isRetryable(new Error('boom'), policy, 0)).toBe(true);
    expect(isRetryable(new Error('boom'), policy, 2)).toBe(true);
  });

  it('stops once maxAttempts retries were taken', () => {
    expect(isRetryable(new Error('boom'), policy, 3)).toBe(false);
    expect(isRetryable(new Error('boom'), policy, 4)).toBe(false);
    expect(isRetryable(new Error('boom'), { ...policy, maxAttempts: 0 }, 0)).toBe(false);
  });

  it('never retries without a policy', () => {
    expect(isRetryable(new Error('boom'), null, 0)).toBe(false);
  });

  it('never retries a NonRetryableError, whatever its code', () => {
    expect(isRetryable(new NonRetryableError('no'), policy, 0)).toBe(false);
    expect(isRetryable(new NonRetryableError('no', { code: 'CARD_DECLINED' }), policy, 0)).toBe(false);
  });

  it('never retries the codes that fail the same way every time, or a cancellation', () => {
    expect(isRetryable(new ActionNotFoundError('x'), policy, 0)).toBe(false);
    expect(isRetryable(new ExpressionError('bad'), policy, 0)).toBe(false);
    expect(isRetryable(new ValidationError([{ path: 'a', message: 'b' }]), policy, 0)).toBe(false);
    expect(isRetryable(new OrchestratorError('CANCELLED', 'cancelled'), policy, 0)).toBe(false);
    expect(isRetryable({ code: 'CANCELLED' }, policy, 0)).toBe(false);
  });

  it('honours the policy nonRetryable list by error name and by string code', () => {
    const p = { ...policy, nonRetryable: ['RateLimitError', 'E_AUTH'] };
    expect(isRetryable(new RateLimitError('slow down'), p, 0)).toBe(false);
    expect(isRetryable(Object.assign(new Error('denied'), { code: 'E_AUTH' }), p, 0)).toBe(false);
    expect(isRetryable(Object.assign(new Error('other'), { code: 'E_OTHER' }), p, 0)).toBe(true);
    expect(isRetryable(new TypeError('t'), p, 0)).toBe(true);
  });

  it('matches a nonRetryable entry against the error class name when the class sets no name', () => {
    // `class X extends Error {}` keeps name 'Error'; users list the class name (as Temporal matches it).
    class PaymentDeclined extends Error {}
    const p = { ...policy, nonRetryable: ['PaymentDeclined'] };
    expect(new PaymentDeclined('no').name).toBe('Error');
    expect(isRetryable(new PaymentDeclined('no'), p, 0)).toBe(false);
    expect(isRetryable(new Error('other'), p, 0)).toBe(true);
    // A plain object is not matched by its constructor (Object).
    expect(isRetryable({ message: 'x' }, { ...policy, nonRetryable: ['Object'] }, 0)).toBe(true);
  });

  it('ignores a non-string code and retries thrown non-errors', () => {
    const p = { ...policy, nonRetryable: ['42'] };
    expect(isRetryable({ code: 42 }, p, 0)).toBe(true);
    expect(isRetryable('a string', p, 0)).toBe(true);
    expect(isRetryable(undefined, p, 0)).toBe(true);
  });
});

describe('nextRetryDelayMs', () => {
  it('follows the policy backoff', () => {
    expect([1, 2, 3, 4].map((n) => nextRetryDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000]);
  });

  it('rounds to whole milliseconds', () => {
    const fractional = { ...policy, initialDelayMs: 1001, backoffCoefficient: 1.5, maxDelayMs: 60_000 };
    expect([1, 2, 3].map((n) => nextRetryDelayMs(fractional, n))).toEqual([1001, 1502, 2252]);
  });
});
