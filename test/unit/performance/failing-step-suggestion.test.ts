/**
 * A workflow whose step fails in every run got, as its only data-driven advice, that the step
 * takes 100% of the step time — as if speeding it up were the fix — and nothing about its
 * failures, which `getStepStats` counts. A step failing in a fifth of its runs or more is now
 * named with its failure count.
 */
import { describe, expect, it } from 'vitest';
import { PerformanceOptimizer } from '../../../src/index.js';

describe('suggestions: a step that fails often', () => {
  it('names the step and how many of its runs failed', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 3; i++) {
      opt.recordStep('pay', 'validate', 50);
      opt.recordStep('pay', 'charge', 1_400, { failed: true });
      opt.recordExecution('pay', 1_500);
    }
    expect(opt.suggestOptimization('pay', opt.getAvgExecutionTime('pay')).slice(3)).toEqual([
      "Step 'charge' takes 97% of the workflow's step time (from 3 executions only)",
      "Step 'charge' fails often (failed in 3 of 3 runs): fix what makes it fail first",
    ]);
  });

  it('says nothing of a step that fails in under a fifth of its runs', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 10; i++) opt.recordStep('pay', 'charge', 1_400, { failed: i === 0 });
    expect(opt.suggestOptimization('pay', 1_500).join('\n')).not.toMatch(/fails often/);
  });
});
