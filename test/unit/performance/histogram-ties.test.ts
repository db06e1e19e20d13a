/**
 * Durations from a millisecond clock repeat, often in a row: the histogram counts a run of equal
 * values once (one `recordValueWithCount`) and hands it to the HDR histogram on the next different
 * value or before a percentile is read. Property: with many ties and runs, over small and large
 * samples, and with percentiles read between records, every figure matches an exact computation
 * (nearest rank; exact up to 64 samples, within 1% beyond).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationHistogram, EXACT_SAMPLES } from '../../../src/performance/histogram.js';

function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p * sorted.length) / 100))) - 1] as number;
}

/** Runs of equal whole milliseconds: [value, how many in a row]. */
const runs = fc.array(fc.tuple(fc.constantFrom(0, 1, 2, 7, 40, 41, 999, 1000, 86_400_000), fc.nat(60)), {
  minLength: 1,
  maxLength: 60,
});

describe('DurationHistogram with ties', () => {
  it('property: percentiles, count, sum, min and max match the exact ones', () => {
    fc.assert(
      fc.property(runs, fc.boolean(), (sequence, readBetween) => {
        const h = new DurationHistogram();
        const values: number[] = [];
        for (const [value, times] of sequence) {
          for (let i = 0; i < times; i++) {
            h.record(value);
            values.push(value);
            // A read in the middle of a run flushes it early; the figures must not change.
            if (readBetween && i === times >> 1) h.percentile(50);
          }
        }
        if (values.length === 0) {
          expect(h.percentile(95)).toBe(0);
          return;
        }
        const sorted = [...values].sort((a, b) => a - b);
        expect(h.count).toBe(values.length);
        expect(h.sum).toBe(values.reduce((a, b) => a + b, 0));
        expect(h.min).toBe(sorted[0]);
        expect(h.max).toBe(sorted[sorted.length - 1]);
        for (const p of [0, 50, 95, 99, 100]) {
          const exact = nearestRank(sorted, p);
          const got = h.percentile(p);
          if (values.length <= EXACT_SAMPLES) expect(got).toBe(exact);
          else expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact * 0.01 + 0.001);
        }
      }),
    );
  });
});
