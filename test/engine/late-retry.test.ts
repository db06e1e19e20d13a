/**
 * A retry whose backoff ends after the workflow's timeout, the workflow's timer not fired yet (a
 * stalled event loop runs due timers list by list: the backoff's list can run first), starts no
 * attempt: the execution fails with WORKFLOW_TIMEOUT as when the timer fires during the backoff,
 * with no second attempt recorded nor announced.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/index.js';
import { collectEvents, withOrchestrator } from '../helpers/orchestrator.js';

/** A clock whose timers never fire and whose sleeps end `lateBy` ms after they were due. */
function lateSleeps(lateBy: number): Clock {
  let t = 1_800_000_000_000;
  return {
    now: () => t,
    setTimer: () => ({ cancel() {} }),
    sleep: async (ms) => {
      t += ms + lateBy;
    },
  };
}

describe("a retry due after the workflow's timeout, its timer not fired", () => {
  it('starts no attempt and the execution fails with WORKFLOW_TIMEOUT', async () => {
    const orch = await withOrchestrator({ clock: lateSleeps(20_000) });
    const events = collectEvents(orch, ['step.started', 'step.cancelled']);
    let calls = 0;
    orch.workflowEngine.registerAction('flaky', async () => {
      calls++;
      throw new Error('not yet');
    });
    await orch.workflowEngine.defineWorkflow(
      'w',
      [{ name: 'flaky', retry: { maxAttempts: 3, initialDelay: 1 } }],
      { timeout: 10 },
    );
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT', step: 'flaky' });
    expect(calls).toBe(1);
    expect(status.steps[0]).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(events.of('step.started').map((e) => e.attempt)).toEqual([1]);
    expect(events.of('step.cancelled').map((e) => e.attempt)).toEqual([1]);
  });

  it("starts no attempt of a branch due after its parallel step's timeout: STEP_TIMEOUT", async () => {
    const orch = await withOrchestrator({ clock: lateSleeps(20_000) });
    const events = collectEvents(orch, ['step.started']);
    let calls = 0;
    orch.workflowEngine.registerAction('flaky', async () => {
      calls++;
      throw new Error('not yet');
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'p', timeout: 10, parallel: [{ name: 'flaky', retry: { maxAttempts: 3, initialDelay: 1 } }] },
    ]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'p' });
    expect(calls).toBe(1);
    expect(
      events
        .of('step.started')
        .filter((e) => e.step === 'flaky')
        .map((e) => e.attempt),
    ).toEqual([1]);
  });
});
