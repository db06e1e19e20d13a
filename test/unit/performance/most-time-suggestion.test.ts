// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * Where the time goes when the slowest step per run is not the one that takes the most time: a
 * step run several times per execution (a loop) or a slow step that runs rarely (a branch taken
 * now and then). The bottleneck stays the step with the highest mean (SPEC §4), and its share is
 * shown as it is; a step whose runs add up to more of the time is named too, rather than left
 * out of the explanation.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, PerformanceOptimizer } from '../../../src/index.js';
import { finishWithClock, withOrchestrator } from '../../helpers/orchestrator.js';

describe('suggestions: the step that takes the most time in all', () => {
  it('names a step looped over that takes more time than the slowest step per run', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 10; i++) {
      // Each execution runs `poll` three times (a loop back to it), `llm` once.
      for (let visit = 0; visit < 3; visit++) opt.recordStep('voice', 'poll', 100);
      opt.recordStep('voice', 'llm', 150);
    }
    expect(opt.identifyBottleneck('voice')).toBe('llm');
    const out = opt.suggestOptimization('voice', 5000);
    expect(out).toContain("Step 'llm' takes 33% of the workflow's step time");
    expect(out).toContain(
      "Step 'poll' takes the most time in all: 67% of the workflow's step time (30 runs, 100 ms on average)",
    );
  });

  it('names the step that takes most of the time when the slowest one runs rarely', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 99; i++) opt.recordStep('wf', 'transcribe', 800);
    opt.recordStep('wf', 'manual_review', 4000);
    const out = opt.suggestOptimization('wf', 5000);
    expect(out).toContain("Step 'manual_review' takes 5% of the workflow's step time (from 1 run only)");
    expect(out).toContain(
      "Step 'transcribe' takes the most time in all: 95% of the workflow's step time (99 runs, 800 ms on average)",
    );
  });

  it('adds nothing when the bottleneck takes the most time too, and names no branch', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('wf', 'a', 100);
    opt.recordStep('wf', 'b', 900);
    expect(opt.suggestOptimization('wf', 5000).filter((s) => s.includes('most time in all'))).toEqual([]);
    // Branches are inside their parallel step's time: 'x' adds up to more than 'p' runs, but is
    // part of it, and 'p' is both the bottleneck and the largest share.
    const par = new PerformanceOptimizer();
    for (let i = 0; i < 3; i++) par.recordStep('wf', 'x', 300, { parent: 'p' });
    par.recordStep('wf', 'p', 900);
    par.recordStep('wf', 'store', 100);
    expect(par.suggestOptimization('wf', 5000).filter((s) => s.includes('most time in all'))).toEqual([]);
  });

  it('names none for steps that took no time', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('wf', 'a', 0);
    opt.recordStep('wf', 'b', 0);
    opt.recordStep('wf', 'b', 0);
    expect(opt.suggestOptimization('wf', 5000).filter((s) => s.includes('most time in all'))).toEqual([]);
  });

  it('explains a workflow that loops back to a step, as the engine records it', async () => {
    const clock = new FakeClock();
    let polls = 0;
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      actions: {
        poll: async (_input, ctx) => {
          await clock.sleep(100, ctx.signal);
          return { n: ++polls };
        },
        llm: async (_input, ctx) => {
          await clock.sleep(150, ctx.signal);
          return {};
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('voice', [
      { name: 'poll' },
      { name: 'again', condition: 'result.n < 3', then: 'poll' },
      { name: 'llm' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('voice');
    expect((await finishWithClock(orch, clock, id, { stepMs: 50 })).status).toBe('completed');
    const opt = orch.performanceOptimizer;
    expect(opt.identifyBottleneck('voice')).toBe('llm');
    expect(opt.suggestOptimization('voice', 5000)).toContain(
      "Step 'poll' takes the most time in all: 67% of the workflow's step time (3 runs, 100 ms on average) (from 1 execution only)",
    );
  });
});
