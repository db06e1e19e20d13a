/**
 * Executions and steps may last longer than a day (a `delay` step of days on its durable timer, a
 * `workflowTimeout` of up to 1e9 s): their percentiles are still recorded durations with few
 * samples, and within HDR precision with many, not a 24 h cap.
 */
import { describe, expect, it } from 'vitest';
import { PerformanceOptimizer } from '../../../src/index.js';
import { DurationHistogram, EXACT_SAMPLES } from '../../../src/performance/histogram.js';

const DAY = 86_400_000;

describe('durations longer than a day', () => {
  it('are the percentiles of a few samples, through the optimizer', () => {
    const po = new PerformanceOptimizer();
    po.recordExecution('reminder', 1_000);
    po.recordExecution('reminder', 2 * DAY);
    po.recordExecution('reminder', 3 * DAY);
    expect(po.getStats('reminder')).toMatchObject({ count: 3, p50: 2 * DAY, p95: 3 * DAY, p99: 3 * DAY });
  });

  it('stay within 1% past the exact samples', () => {
    const h = new DurationHistogram();
    const values: number[] = [];
    for (let i = 0; i < EXACT_SAMPLES * 4; i++) values.push(1_000 + (i % 10) * DAY);
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [50, 95, 99]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.01);
    }
  });
});
