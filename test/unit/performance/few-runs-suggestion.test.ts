/**
 * One recorded run was enough to name a bottleneck: after a single execution the advice said
 * "Step 'b' takes 94% of the workflow's step time" with nothing to tell it rested on one sample.
 * Shares resting on fewer than FEW_RUNS (5) executions now say how many they rest on.
 */
import { describe, expect, it } from 'vitest';
import { PerformanceOptimizer } from '../../../src/index.js';
import { FEW_RUNS } from '../../../src/performance/suggestions.js';

/** `runs` executions of 'w': step a 60 ms, step b 940 ms, 1 s each. */
function recorded(runs: number): PerformanceOptimizer {
  const opt = new PerformanceOptimizer();
  for (let i = 0; i < runs; i++) {
    opt.recordStep('w', 'a', 60);
    opt.recordStep('w', 'b', 940);
    opt.recordExecution('w', 1_000);
  }
  return opt;
}

const bottleneckLine = (opt: PerformanceOptimizer) =>
  opt.suggestOptimization('w', 5_000).find((s) => s.includes("of the workflow's step time"));

describe('suggestions resting on few runs', () => {
  it('says so under FEW_RUNS executions, and not from FEW_RUNS on', () => {
    expect(FEW_RUNS).toBe(5);
    expect(bottleneckLine(recorded(1))).toBe(
      "Step 'b' takes 94% of the workflow's step time (from 1 execution only)",
    );
    expect(bottleneckLine(recorded(4))).toBe(
      "Step 'b' takes 94% of the workflow's step time (from 4 executions only)",
    );
    expect(bottleneckLine(recorded(5))).toBe("Step 'b' takes 94% of the workflow's step time");
  });

  it("counts the bottleneck step's runs when no execution is recorded", () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 3; i++) opt.recordStep('w', 'b', 900);
    for (let i = 0; i < 10; i++) opt.recordStep('w', 'a', 10);
    expect(bottleneckLine(opt)).toBe("Step 'b' takes 96% of the workflow's step time (from 3 runs only)");
    for (let i = 0; i < 2; i++) opt.recordStep('w', 'b', 900);
    expect(bottleneckLine(opt)).toBe("Step 'b' takes 98% of the workflow's step time");
  });

  it('leaves the lines that state their runs as they are', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('w', 'b', 900, { retried: true, failed: true });
    opt.recordExecution('w', 1_000);
    const out = opt.suggestOptimization('w', 5_000);
    expect(out).toContain(
      "Step 'b' is retried often (needed a retry in 1 of 1 runs): check the service it calls or mark permanent errors non-retryable",
    );
    expect(out).toContain("Step 'b' fails often (failed in 1 of 1 runs): fix what makes it fail first");
  });
});
