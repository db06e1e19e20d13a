import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationHistogram } from '../../../src/performance/histogram.js';

/** Nearest-rank percentile, HDR's definition. */
function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

describe('DurationHistogram', () => {
  it('answers zeros when empty', () => {
    const h = new DurationHistogram();
    expect([h.count, h.sum, h.min, h.max, h.mean, h.percentile(50), h.percentile(99)]).toEqual([
      0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('keeps count, sum, min, max and mean exact', () => {
    const h = new DurationHistogram();
    for (const ms of [12.5, 3.25, 1000.125, 7]) h.record(ms);
    expect(h.count).toBe(4);
    expect(h.sum).toBe(12.5 + 3.25 + 1000.125 + 7);
    expect(h.min).toBe(3.25);
    expect(h.max).toBe(1000.125);
    expect(h.mean).toBe((12.5 + 3.25 + 1000.125 + 7) / 4);
  });

  it('resolves fractions of a millisecond', () => {
    const h = new DurationHistogram();
    for (let i = 0; i < 100; i++) h.record(0.25);
    h.record(0.75);
    expect(h.percentile(50)).toBe(0.25);
    expect(h.percentile(100)).toBe(0.75);
  });

  it('gives percentiles of 1..1000 ms within 1%', () => {
    const h = new DurationHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    for (const p of [50, 90, 95, 99]) {
      expect(Math.abs(h.percentile(p) - p * 10)).toBeLessThanOrEqual(p * 10 * 0.01);
    }
    expect(h.percentile(100)).toBe(1000);
    expect(h.percentile(0)).toBe(1);
  });

  it('property: percentiles are within HDR precision of the exact ones and inside [min, max]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 3_600_000, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(1, 25, 50, 75, 90, 95, 99, 99.9, 100),
        (values, p) => {
          const h = new DurationHistogram();
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          const exact = exactPercentile(sorted, p);
          const got = h.percentile(p);
          // 2 significant digits: under 1% relative error, plus the 1 µs recording resolution
          expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact * 0.01 + 0.001);
          expect(got).toBeGreaterThanOrEqual(h.min);
          expect(got).toBeLessThanOrEqual(h.max);
          expect(h.count).toBe(values.length);
        },
      ),
    );
  });

  it('clamps durations above the trackable maximum instead of throwing', () => {
    const h = new DurationHistogram();
    h.record(10);
    h.record(1e12);
    h.record(Number.MAX_SAFE_INTEGER);
    expect(h.count).toBe(3);
    expect(h.max).toBe(Number.MAX_SAFE_INTEGER);
    expect(h.percentile(99)).toBe(Number.MAX_SAFE_INTEGER); // exact: one of the first samples
    expect(h.percentile(10)).toBeCloseTo(10, 0);
    const small = new DurationHistogram({ maxMs: 1000 });
    small.record(5000);
    expect(small.percentile(50)).toBe(5000);
    // Past the exact samples, a duration above maxMs counts as maxMs in the percentiles.
    for (let i = 0; i < 70; i++) small.record(500);
    for (let i = 0; i < 30; i++) small.record(5000);
    expect(small.percentile(99)).toBeCloseTo(1000, -1);
    expect(small.max).toBe(5000);
  });

  it('ignores non-finite durations and counts negative ones as 0', () => {
    const h = new DurationHistogram();
    h.record(Number.NaN);
    h.record(Number.POSITIVE_INFINITY);
    expect(h.count).toBe(0);
    h.record(-5);
    expect([h.count, h.min, h.max, h.sum]).toEqual([1, 0, 0, 0]);
  });

  it('forgets everything on reset', () => {
    const h = new DurationHistogram();
    for (let i = 0; i < 50; i++) h.record(i + 100);
    h.reset();
    expect([h.count, h.sum, h.min, h.max, h.percentile(50)]).toEqual([0, 0, 0, 0, 0]);
    h.record(3);
    expect([h.min, h.max, h.percentile(50)]).toEqual([3, 3, 3]);
  });
});
