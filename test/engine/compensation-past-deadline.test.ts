/**
 * The workflow's timeout bounds the steps, not the saga (README, Compensation; the deadline is not
 * armed for an execution resumed compensating): when it passes while a compensation runs — its
 * timer firing mid-handler — the compensation's signal does not abort, it completes, the ones
 * after it still start, and the execution ends with the error that failed it, not WORKFLOW_TIMEOUT.
 * A cancel meanwhile changes nothing (it is compensating for a failure).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type StepContext } from '../../src/index.js';
import {
  collectEvents,
  finishWithClock,
  nextEvent,
  STORE_KINDS,
  storeUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('the workflow timeout passing during compensation (%s store)', (kind) => {
  it('does not cut the running compensation short nor stop the ones after it', async () => {
    const clock = new FakeClock();
    const undone: { step: string; at: number; aborted: boolean }[] = [];
    const undo = async (_out: unknown, ctx: StepContext) => {
      // b's undo outlasts the workflow's 2 s timeout, listening to its signal all the while.
      if (ctx.stepName === 'b') {
        await Promise.race([
          clock.sleep(5_000),
          new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true })),
        ]);
      }
      undone.push({ step: ctx.stepName, at: clock.now(), aborted: ctx.signal.aborted });
    };
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: {
        a: () => 'a',
        b: () => 'b',
        boom: () => {
          throw new Error('carrier unavailable');
        },
      },
      compensations: { undo },
    });
    const events = collectEvents(orch, ['execution.failed', 'compensation.failed', 'step.cancelled']);
    await orch.workflowEngine.defineWorkflow(
      'w',
      [
        { name: 'a', compensation: 'undo' },
        // Its own timeout, not the workflow's 2 s, limits an attempt of its compensation.
        { name: 'b', compensation: 'undo', timeout: 10 },
        { name: 'boom' },
      ],
      { timeout: 2 },
    );
    const started = clock.now();
    const id = await orch.workflowEngine.executeWorkflow('w');
    const done = finishWithClock(orch, clock, id);
    await nextEvent(orch, 'compensation.started', (e) => e.step === 'b');
    await clock.advance(3_000);
    // Past the deadline, compensating for the failure: a cancel answers false and stops nothing.
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(false);
    const status = await done;
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_FAILED', message: 'carrier unavailable', step: 'boom' });
    expect(undone).toEqual([
      { step: 'b', at: started + 5_000, aborted: false },
      { step: 'a', at: started + 5_000, aborted: false },
    ]);
    expect(status.compensatedSteps).toEqual(['b', 'a']);
    expect(events.of('compensation.failed')).toEqual([]);
    expect(events.of('step.cancelled')).toEqual([]);
    expect(events.of('execution.failed').map((e) => e.error.code)).toEqual(['STEP_FAILED']);
  });
});
