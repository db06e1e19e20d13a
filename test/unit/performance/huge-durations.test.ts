/**
 * Finite but huge durations (1e308 ms, from a caller's unit slip or a clock jump) overflowed the
 * sums the averages and shares are taken of: two executions of 1e308 ms had getStats avg Infinity
 * (`null` in JSON), a step of two such runs share NaN, so identifyBottleneck passed it over for a
 * step of 1 ms and no suggestion named it; compensationAvg and waitAvg overflowed the same way.
 * A duration above Number.MAX_SAFE_INTEGER ms (285,000 years) now counts as that, so every
 * figure stays finite.
 */
import { describe, expect, it } from 'vitest';
import { DurationHistogram } from '../../../src/performance/histogram.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';

const HUGE = 1e308;
const MAX = Number.MAX_SAFE_INTEGER;

describe('huge durations', () => {
  it('DurationHistogram counts a duration above MAX_SAFE_INTEGER ms as that', () => {
    const h = new DurationHistogram();
    h.record(Number.MAX_VALUE);
    h.record(Number.MAX_VALUE);
    expect([h.count, h.sum, h.mean, h.min, h.max, h.percentile(99)]).toEqual([
      2,
      2 * MAX,
      MAX,
      MAX,
      MAX,
      MAX,
    ]);
  });

  it('getStats stays finite', () => {
    const opt = new PerformanceOptimizer();
    opt.recordExecution('w', HUGE);
    opt.recordExecution('w', HUGE);
    expect(opt.getStats('w')).toEqual({
      count: 2,
      avg: MAX,
      min: MAX,
      max: MAX,
      p50: MAX,
      p95: MAX,
      p99: MAX,
    });
    expect(opt.getAvgExecutionTime('w')).toBe(MAX);
  });

  it('step stats, the bottleneck and the suggestions name the huge step', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 2; i++) opt.recordStep('w', 'slow', HUGE, { waitMs: HUGE, queuedMs: HUGE });
    opt.recordStep('w', 'fast', 1);
    const stats = opt.getStepStats('w');
    expect(stats.slow).toMatchObject({ avg: MAX, waitAvg: MAX, queueAvg: MAX, max: MAX });
    expect(stats.slow?.share).toBeCloseTo(1, 10);
    expect(stats.fast?.share).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(opt.identifyBottleneck('w')).toBe('slow');
    expect(opt.suggestOptimization('w', 5000)).toContain(
      "Step 'slow' takes over 99% of the workflow's step time (100% of it waiting between attempts) (from 2 runs only)",
    );
  });

  it('compensationAvg stays finite', () => {
    const opt = new PerformanceOptimizer();
    opt.recordCompensation('w', 's', HUGE);
    opt.recordCompensation('w', 's', HUGE);
    expect(opt.getStepStats('w').s).toMatchObject({ compensations: 2, compensationAvg: MAX });
  });
});
