/**
 * Where a step's time goes: a run's duration counts every attempt and the time between them
 * (backoff before a retry, a restart after its process stopped). The optimizer keeps that time
 * apart (`waitAvg`) and says so in its advice, instead of passing backoff waits off as work.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import {
  finishWithClock,
  STORE_KINDS,
  storeUrl,
  tempSqliteUrl,
  untilAborted,
  waitForStatus,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('time between attempts (%s store)', (kind) => {
  it('is kept apart from the work and named in the advice', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      slowThreshold: 1,
      actions: {
        // 100 ms attempts: two fail (backoff 1 s, then 2 s), the third succeeds.
        flaky: async () => {
          await clock.sleep(100);
          if (++runs < 3) throw new Error('transient');
          return 'ok';
        },
        work: () => clock.sleep(700).then(() => 'done'),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'flaky', retry: true }, { name: 'work' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await finishWithClock(orch, clock, id)).status).toBe('completed');

    const stats = orch.performanceOptimizer.getStepStats('w');
    expect(stats.flaky).toMatchObject({ count: 1, avg: 3_300, waitAvg: 3_000, retries: 1 });
    expect(stats.work).toMatchObject({ count: 1, avg: 700, waitAvg: 0 });
    const advice = orch.performanceOptimizer.suggestOptimization('w', 4_000);
    expect(advice).toContain(
      "Step 'flaky' takes 83% of the workflow's step time (91% of it waiting between attempts) (from 1 execution only)",
    );
    expect(advice.find((s) => s.includes('retried often'))).toMatch(
      /^Step 'flaky' is retried often \(needed a retry in 1 of 1 runs\)/,
    );
  });
});

describe('time between attempts across a restart', () => {
  it('counts the time the process was down as waiting, not as work', async () => {
    const clock = new FakeClock();
    const url = tempSqliteUrl();
    const first = await withOrchestrator({
      clock,
      store: url,
      actions: { work: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await waitForStatus(first, id, (s) => s.steps[0]?.status === 'running');
    await first.close();
    await clock.advance(60_000);

    const second = await withOrchestrator({
      clock,
      store: url,
      actions: { work: () => clock.sleep(200).then(() => 'ok') },
    });
    expect((await finishWithClock(second, clock, id)).status).toBe('completed');
    expect(second.performanceOptimizer.getStepStats('w').work).toMatchObject({
      count: 1,
      avg: 60_200,
      waitAvg: 60_000,
      retries: 0,
    });
  });
});
