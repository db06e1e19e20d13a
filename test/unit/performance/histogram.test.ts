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

  it('gives percentiles of durations over 1e12 ms (a clock jump, a unit slip) within 1%, not their minimum', () => {
    // Clamped to the fine histogram's 1e12 ms, every percentile read as the smallest value.
    const h = new DurationHistogram();
    for (let i = 1; i <= 100; i++) h.record(1e13 * i);
    for (const p of [50, 95, 99]) {
      expect(Math.abs(h.percentile(p) - 1e13 * p) / (1e13 * p)).toBeLessThanOrEqual(0.01);
    }
    expect(h.percentile(0)).toBe(1e13);
    expect(h.percentile(100)).toBe(1e15);
    // Mixed with ordinary ones: the rank falls in whichever histogram holds it.
    const mixed = new DurationHistogram();
    for (let i = 1; i <= 90; i++) mixed.record(i);
    for (let i = 1; i <= 10; i++) mixed.record(2e12 * i);
    expect(Math.abs(mixed.percentile(50) - 50)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(mixed.percentile(95) - 1e13) / 1e13).toBeLessThanOrEqual(0.01);
    expect(mixed.percentile(100)).toBe(2e13);
    mixed.reset();
    for (let i = 1; i <= 100; i++) mixed.record(i);
    expect(Math.abs(mixed.percentile(99) - 99)).toBeLessThanOrEqual(0.99);
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
    // Past the exact samples, a duration above maxMs is read from the overflow histogram.
    for (let i = 0; i < 70; i++) small.record(500);
    for (let i = 0; i < 30; i++) small.record(5000);
    expect(small.percentile(99)).toBe(5000);
    expect(Math.abs(small.percentile(50) - 500)).toBeLessThanOrEqual(5);
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
