/**
 * A saga whose compensation took most of each execution's time got, as its data-driven advice,
 * only that its one forward step "takes 100% of the workflow's step time": compensations are kept
 * out of the step time, so the time they took was in `getStats` but no suggestion said where it
 * went. When compensations take a fifth of the executions' time or more, they are now named.
 */
import { describe, expect, it } from 'vitest';
import { PerformanceOptimizer } from '../../../src/index.js';

describe('suggestions: time spent compensating', () => {
  it('names the share of the execution time and the compensation that takes most of it', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 2; i++) {
      opt.recordStep('saga', 'reserve', 500);
      opt.recordStep('saga', 'charge', 100, { failed: true });
      opt.recordCompensation('saga', 'reserve', 900);
      opt.recordExecution('saga', 1_500);
    }
    // 2 × 900 ms of 2 × 1,500 ms: 60%.
    expect(opt.suggestOptimization('saga', opt.getAvgExecutionTime('saga'))).toContain(
      "Compensations take 60% of the execution time (most of it undoing 'reserve': 2 compensations, " +
        '900 ms on average): fix the failures that set them off, or speed up that compensation (from 2 executions only)',
    );
  });

  it('says nothing of compensations under a fifth of the execution time, nor without executions', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('saga', 'reserve', 1_000);
    opt.recordCompensation('saga', 'reserve', 200);
    expect(opt.suggestOptimization('saga', 5_000).join('\n')).not.toMatch(/Compensations take/);
    opt.recordExecution('saga', 1_200);
    expect(opt.suggestOptimization('saga', 5_000).join('\n')).not.toMatch(/Compensations take/);
  });
});
