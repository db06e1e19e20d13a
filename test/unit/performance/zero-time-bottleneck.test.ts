/**
 * Steps that all took 0 ms (a cached or no-op pipeline timed by a coarse clock) have no slowest
 * step, yet identifyBottleneck named the first of them and the dashboard showed it as the
 * bottleneck at "0% of step time". Recorded steps that took no time are now passed over.
 */
import { describe, expect, it } from 'vitest';
import { PerformanceOptimizer } from '../../../src/index.js';

describe('identifyBottleneck with steps that took no time', () => {
  it('names none when every recorded step took 0 ms', () => {
    const opt = new PerformanceOptimizer({ slowThreshold: 0 });
    opt.recordStep('cache', 'lookup', 0);
    opt.recordStep('cache', 'respond', 0);
    opt.recordExecution('cache', 3);
    expect(opt.identifyBottleneck('cache')).toBeNull();
    expect(opt.getStepStats('cache').lookup?.share).toBe(0);
  });

  it('names the step that took time over one that took none, whichever came first', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('w', 'noop', 0);
    opt.recordStep('w', 'work', 0.5);
    expect(opt.identifyBottleneck('w')).toBe('work');
  });
});
