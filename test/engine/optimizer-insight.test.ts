/**
 * What the engine feeds the optimizer, checked through its advice: a retried step is compared
 * with its timeout by its longest attempt (retries and the waits between them are not limited by
 * the timeout), and a parallel step's share of the time is not diluted by its branches, whose
 * time is part of it. A step cut short by its process stopping and run again after the restart
 * was not retried (it never failed): the optimizer does not count it as a retry.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import {
  finishWithClock,
  tempSqliteUrl,
  untilAborted,
  waitForStatus,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe('optimizer insight from the engine', () => {
  it('does not say a retried step nears its timeout when each of its attempts is quick', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const orch = await withOrchestrator({
      clock,
      slowThreshold: 1,
      actions: {
        flaky: () => {
          // Fails at once twice, then succeeds at once: 0 ms attempts, 1 s + 2 s of backoff.
          if (++runs % 3 !== 0) throw new Error('transient');
          return 1;
        },
        slow: () => clock.sleep(1_900).then(() => 'slow'),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'flaky', timeout: 2, retry: true },
      { name: 'slow', timeout: 2 },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await finishWithClock(orch, clock, id, { stepMs: 100 })).status).toBe('completed');
    const near = orch.performanceOptimizer
      .suggestOptimization('w', 5_000)
      .filter((s) => s.includes('of its timeout'));
    // Only the step whose attempt takes 95 % of its timeout.
    expect(near).toHaveLength(1);
    expect(near[0]).toMatch(/^Step 'slow' p95 \(1\.9 ?s\) is 95% of its timeout/);
  });

  it("gives a parallel step its whole share of the time, its branches' time not counted twice", async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ clock, slowThreshold: 1 });
    await orch.workflowEngine.defineWorkflow('w', [
      {
        name: 'p',
        parallel: [
          { name: 'b1', action: 'delay' },
          { name: 'b2', action: 'delay' },
        ],
      },
      { name: 'tail', action: 'noop' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w', { seconds: 2 });
    expect((await finishWithClock(orch, clock, id)).status).toBe('completed');
    expect(orch.performanceOptimizer.getStepStats('w').p?.share).toBe(1);
    const line = orch.performanceOptimizer
      .suggestOptimization('w', 2_000)
      .find((s) => s.includes("of the workflow's step time"));
    expect(line).toMatch(/100%/);
  });
});

describe('the bottleneck of a workflow with a parallel step', () => {
  it('is the parallel step, never one of its branches; its suggestion names its slowest branch', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ clock, slowThreshold: 1 });
    await orch.workflowEngine.defineWorkflow('w', [
      {
        name: 'p',
        parallel: [
          { name: 'quick', action: 'noop' },
          { name: 'slow', action: 'delay' },
        ],
      },
      { name: 'tail', action: 'noop' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w', { seconds: 2 });
    expect((await finishWithClock(orch, clock, id)).status).toBe('completed');
    // The branch 'slow' took as long as 'p' (a fake clock): a step's time includes its branches'.
    const po = orch.performanceOptimizer;
    expect(po.getStepStats('w').slow?.avg).toBe(po.getStepStats('w').p?.avg);
    expect(po.identifyBottleneck('w')).toBe('p');
    const line = po.suggestOptimization('w', 2_000).find((s) => s.includes("of the workflow's step time"));
    expect(line).toBe(
      "Step 'p' takes 100% of the workflow's step time (its slowest branch: 'slow', 2 s on average) (from 1 execution only)",
    );
  });
});

describe('optimizer insight after a restart', () => {
  it('does not count a step cut short by a shutdown, and run again after the restart, as retried', async () => {
    const url = tempSqliteUrl();
    const first = await withOrchestrator({
      store: url,
      actions: { work: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'work', retry: true }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await waitForStatus(first, id, (s) => s.steps[0]?.status === 'running');
    await first.close();

    const second = await withOrchestrator({ store: url, slowThreshold: 1, actions: { work: () => 'done' } });
    expect((await second.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('completed');
    // As the metrics count it: the step never failed, so it needed no retry.
    expect(second.getMetrics().retryRate).toBe(0);
    expect(second.performanceOptimizer.getStepStats('w').work).toMatchObject({ count: 1, retries: 0 });
    expect(
      second.performanceOptimizer.suggestOptimization('w', 5_000).filter((s) => s.includes('retried often')),
    ).toEqual([]);
  });
});
