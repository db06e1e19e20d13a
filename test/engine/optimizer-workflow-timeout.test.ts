/**
 * An execution that hits its workflow timeout is stopped in the step that was running: that step
 * took the time. The optimizer records its run up to the timeout (as failed), so the bottleneck is
 * that step, not the quick one before it. A step the user cancels is not recorded (its run was cut
 * short by a choice, not by its own time).
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

describe.each(STORE_KINDS)('optimizer after a workflow timeout (%s store)', (kind) => {
  it('records the step the timeout cut short, and names it the bottleneck', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      slowThreshold: 1,
      workflowTimeout: 10,
      actions: {
        quick: () => clock.sleep(500).then(() => 'q'),
        hang: (_input, ctx) => untilAborted(ctx.signal),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'quick' }, { name: 'hang' }]);
    await orch.workflowEngine.defineWorkflow('par', [
      {
        name: 'p',
        parallel: [
          { name: 'b_quick', action: 'quick' },
          { name: 'b_hang', action: 'hang' },
        ],
      },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');

    const po = orch.performanceOptimizer;
    expect(po.getStepStats('w').hang).toMatchObject({ count: 1, avg: 9_500, failures: 1, share: 0.95 });
    expect(po.identifyBottleneck('w')).toBe('hang');
    expect(po.suggestOptimization('w', 10_000)).toContain(
      "Step 'hang' takes 95% of the workflow's step time (from 1 execution only)",
    );

    // In a parallel step: the branch that hung and the step itself, not the sibling that finished.
    const par = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('par'));
    expect(par.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(po.getStepStats('par')).toMatchObject({
      b_quick: { count: 1, avg: 500, failures: 0 },
      b_hang: { count: 1, avg: 10_000, failures: 1 },
      p: { count: 1, avg: 10_000, failures: 1, share: 1 },
    });
  });

  it('does not record a step the user cancelled', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      actions: { hang: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(3_000);
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(true);
    expect((await finishWithClock(orch, clock, id)).status).toBe('cancelled');
    expect(orch.performanceOptimizer.getStepStats('w')).toEqual({});
  });
});
