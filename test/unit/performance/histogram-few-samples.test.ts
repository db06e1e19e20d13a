/**
 * With few samples, percentiles are the recorded values themselves (nearest rank), not HDR bucket
 * edges: two executions of 1,500 and 7,300 ms have a p50 of 1,500 ms, not 1,507.327.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PerformanceOptimizer } from '../../../src/index.js';
import { DurationHistogram, EXACT_SAMPLES } from '../../../src/performance/histogram.js';

function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

describe('percentiles of a few samples', () => {
  it('are exact at 1 and 2 samples, through the optimizer', () => {
    const po = new PerformanceOptimizer();
    po.recordExecution('w', 1_500);
    expect(po.getStats('w')).toMatchObject({ p50: 1_500, p95: 1_500, p99: 1_500 });
    po.recordExecution('w', 7_300);
    expect(po.getStats('w')).toMatchObject({
      count: 2,
      min: 1_500,
      max: 7_300,
      p50: 1_500,
      p95: 7_300,
      p99: 7_300,
    });
  });

  it(`property: are the nearest-rank values up to ${EXACT_SAMPLES} samples`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 3_600_000, noNaN: true }), {
          minLength: 1,
          maxLength: EXACT_SAMPLES,
        }),
        fc.constantFrom(0, 1, 25, 50, 75, 90, 95, 99, 100),
        (values, p) => {
          const h = new DurationHistogram();
          for (const v of values) h.record(v);
          expect(h.percentile(p)).toBe(nearestRank(values, p));
        },
      ),
    );
  });

  it('go on within HDR precision past them, and are exact again after a reset', () => {
    const h = new DurationHistogram();
    for (let i = 1; i <= EXACT_SAMPLES + 1; i++) h.record(1_000 + i);
    expect(Math.abs(h.percentile(50) - 1_000 - Math.ceil((EXACT_SAMPLES + 1) / 2))).toBeLessThan(11);
    h.reset();
    h.record(1_500);
    h.record(7_300);
    expect(h.percentile(50)).toBe(1_500);
  });
});
