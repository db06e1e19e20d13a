/** The wait an error asks for before its retry (`retryAfter`), and the `Retry-After` header. */
import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_S,
  parseRetryAfter,
  retryAfterMs,
  retryDelayWith,
} from '../../src/recovery/retry-after.js';

describe('retryAfterMs', () => {
  it('reads seconds from the error, capped', () => {
    expect(retryAfterMs(Object.assign(new Error('x'), { retryAfter: 1.5 }))).toBe(1500);
    expect(retryAfterMs({ retryAfter: 10 * MAX_RETRY_AFTER_S })).toBe(MAX_RETRY_AFTER_S * 1000);
  });

  it('asks for nothing without a finite positive number', () => {
    for (const retryAfter of [undefined, null, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, '30', 30n]) {
      expect(retryAfterMs({ retryAfter })).toBe(0);
    }
    expect(retryAfterMs(null)).toBe(0);
    expect(retryAfterMs('error')).toBe(0);
    const hostile = {
      get retryAfter(): number {
        throw new Error('getter');
      },
    };
    expect(retryAfterMs(hostile)).toBe(0);
  });

  it('never shortens the backoff', () => {
    expect(retryDelayWith(4000, { retryAfter: 1 })).toBe(4000);
    expect(retryDelayWith(1000, { retryAfter: 30 })).toBe(30_000);
    expect(retryDelayWith(1000, new Error('plain'))).toBe(1000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-07T10:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['7', '9'], now)).toBe(7);
    expect(parseRetryAfter('Mon, 07 Dec 2026 10:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Mon, 07 Dec 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what is neither', () => {
    for (const value of [
      undefined,
      '',
      'soon',
      '-5',
      '1.5',
      '12345678901',
      '2026-12-07T10:01:00Z',
      'Mon, garbage',
    ]) {
      expect(parseRetryAfter(value, now)).toBeNull();
    }
  });
});
