/**
 * A parallel step's own `timeout` cuts short the branches still running: the slow branch took the
 * step's time, so the optimizer records its run up to the timeout (as failed), beside the step
 * itself, as it does for a branch a workflow timeout cuts short. A sibling stopped because another
 * branch failed is not recorded (its run was cut short by the failure, not by its own time).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import {
  finishWithClock,
  STORE_KINDS,
  storeUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)("optimizer after a parallel step's timeout (%s store)", (kind) => {
  it('records the branch the timeout cut short, and names it the bottleneck', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      slowThreshold: 1,
      actions: {
        quick: () => clock.sleep(500).then(() => 'q'),
        hang: (_input, ctx) => untilAborted(ctx.signal),
      },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      {
        name: 'p',
        timeout: 4,
        parallel: [
          { name: 'b_quick', action: 'quick' },
          { name: 'b_hang', action: 'hang' },
        ],
      },
    ]);
    const par = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('par'));
    expect(par.error?.code).toBe('STEP_TIMEOUT');
    const po = orch.performanceOptimizer;
    expect(po.getStepStats('par')).toMatchObject({
      b_quick: { count: 1, avg: 500, failures: 0 },
      b_hang: { count: 1, avg: 4_000, failures: 1 },
      p: { count: 1, avg: 4_000, failures: 1 },
    });
    expect(po.identifyBottleneck('par')).toBe('p');
    expect(po.suggestOptimization('par', 4_000).join('\n')).toContain('b_hang');
  });

  it('does not record a branch stopped because a sibling failed', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      retryAttempts: 0,
      actions: {
        fail: () =>
          clock.sleep(300).then(() => {
            throw new Error('boom');
          }),
        hang: (_input, ctx) => untilAborted(ctx.signal),
      },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      {
        name: 'p',
        timeout: 4,
        parallel: [
          { name: 'b_fail', action: 'fail', retry: { maxAttempts: 0 } },
          { name: 'b_hang', action: 'hang' },
        ],
      },
    ]);
    const par = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('par'));
    expect(par.status).toBe('failed');
    const stats = orch.performanceOptimizer.getStepStats('par');
    expect(stats.b_fail).toMatchObject({ count: 1, failures: 1 });
    expect(stats.b_hang).toBeUndefined();
  });
});
