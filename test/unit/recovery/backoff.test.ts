import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/recovery/backoff.js';

const policy = { initialDelayMs: 1000, backoffCoefficient: 2, maxDelayMs: 5000 };

describe('backoffDelayMs', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(policy, n))).toEqual([
      1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('gives a constant delay with coefficient 1', () => {
    const flat = { initialDelayMs: 250, backoffCoefficient: 1, maxDelayMs: 10_000 };
    expect([1, 2, 10].map((n) => backoffDelayMs(flat, n))).toEqual([250, 250, 250]);
  });

  it('returns the cap for huge retry numbers instead of Infinity or NaN', () => {
    expect(backoffDelayMs(policy, 10_000)).toBe(5000);
    expect(backoffDelayMs(policy, Number.MAX_SAFE_INTEGER)).toBe(5000);
    expect(backoffDelayMs(policy, Number.POSITIVE_INFINITY)).toBe(5000);
    expect(backoffDelayMs({ ...policy, backoffCoefficient: 1e308 }, 3)).toBe(5000);
  });

  it('treats a retry number below 1 or NaN as the first retry', () => {
    expect(backoffDelayMs(policy, 0)).toBe(1000);
    expect(backoffDelayMs(policy, -3)).toBe(1000);
    expect(backoffDelayMs(policy, Number.NaN)).toBe(1000);
  });

  it('returns 0 for a zero initial delay however large the retry number', () => {
    expect(backoffDelayMs({ ...policy, initialDelayMs: 0 }, 5000)).toBe(0);
  });

  it('is capped by a max below the initial delay', () => {
    expect(backoffDelayMs({ ...policy, maxDelayMs: 300 }, 1)).toBe(300);
  });

  it('property: exactly min(initial × c^(n−1), max), never above max, non-decreasing in n', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        (initialDelayMs, backoffCoefficient, maxDelayMs, n) => {
          const p = { initialDelayMs, backoffCoefficient, maxDelayMs };
          const d = backoffDelayMs(p, n);
          const expected =
            initialDelayMs === 0 ? 0 : Math.min(initialDelayMs * backoffCoefficient ** (n - 1), maxDelayMs);
          expect(d).toBe(expected);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeLessThanOrEqual(maxDelayMs);
          expect(backoffDelayMs(p, n + 1)).toBeGreaterThanOrEqual(d);
        },
      ),
    );
  });
});
