// The engine rows' RSS figures (bench/lib/rss.ts): the peak is never below the RSS after the run.
import { describe, expect, it } from 'vitest';
import { RssSampler } from '../../bench/lib/rss.js';

describe('RssSampler', () => {
  it('reports a peak at least the RSS read when it stops', () => {
    const reads = [100, 130, 110, 140];
    const sampler = new RssSampler(() => reads.shift() ?? 0);
    sampler.start(60_000);
    sampler.sample();
    sampler.sample();
    // The RSS read at stop (140) is above every sample before it.
    expect(sampler.stop()).toEqual({ rss: 140, peak: 140 });
  });

  it('keeps the highest sample since start', () => {
    const reads = [300, 100, 250, 120];
    const sampler = new RssSampler(() => reads.shift() ?? 0);
    sampler.start(60_000);
    sampler.sample();
    sampler.sample();
    expect(sampler.stop()).toEqual({ rss: 120, peak: 300 });
  });
});
