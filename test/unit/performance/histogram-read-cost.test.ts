/**
 * A percentile read past the exact samples walked the packed HDR histogram bucket by bucket from
 * the lowest, each read of a packed count costing ~0.6 µs: about 1 ms a percentile for durations
 * around a second and 2.5 ms for longer ones, so getStats() (three percentiles) took ~3 ms a
 * workflow, and the dashboard's workflow list (getStats of each) or a workflow's step table (a p95
 * a step, three times over) blocked the event loop for seconds with many of them. The histogram
 * now keeps a count per block of 64 buckets beside the HDR counts: a read sums the blocks, then
 * reads at most one block's buckets. (Work counted, not timed: the packed reads are counted.)
 */
import { describe, expect, it, vi } from 'vitest';
import { DurationHistogram, EXACT_SAMPLES } from '../../../src/performance/histogram.js';

function packedReads(h: DurationHistogram): { calls: unknown[] } {
  const hdr = (h as unknown as { hdr: { getCountAtIndex(i: number): number } }).hdr;
  return vi.spyOn(hdr, 'getCountAtIndex').mock;
}

describe('DurationHistogram percentile reads', () => {
  it('read at most one block of buckets, however wide the recorded range', () => {
    const h = new DurationHistogram();
    // 1 µs .. 1e12 ms: every bucket range of the histogram has values.
    for (let i = 0; i <= 2 * EXACT_SAMPLES; i++) h.record(10 ** ((i / (2 * EXACT_SAMPLES)) * 15 - 3));
    const reads = packedReads(h);
    for (const p of [0, 50, 95, 99, 100]) {
      const before = reads.calls.length;
      h.percentile(p);
      expect(reads.calls.length - before).toBeLessThanOrEqual(64);
    }
  });

  it('give the nearest-rank bucket as before, also after a reset', () => {
    const h = new DurationHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    expect(Math.abs(h.percentile(95) - 950)).toBeLessThanOrEqual(9.5);
    expect(h.percentile(0)).toBe(1);
    expect(h.percentile(100)).toBe(1000);
    h.reset();
    for (let i = 0; i < 100; i++) h.record(5000);
    for (let i = 0; i < 100; i++) h.record(7);
    expect(h.percentile(50)).toBeCloseTo(7, 1);
    expect(h.percentile(51)).toBeCloseTo(5000, -2);
  });
});
