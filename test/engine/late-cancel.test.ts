/**
 * A cancel that comes after the workflow's timeout passed, its timer not fired yet (a stalled event
 * loop runs due timers list by list; a request can be served first), finds the execution timed out,
 * as it would had the timer run: it fails with WORKFLOW_TIMEOUT (compensating what completed) and
 * the cancel answers false, as for an execution that ended before it. Queued, it fails "before it
 * could start", as the queue's deadline timer (or a slot) ends it.
 */
import { describe, expect, it } from 'vitest';
import { oneSlotOrchestrator } from '../helpers/one-slot.js';
import { collectEvents, until, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { stalledClock } from '../helpers/stalled-clock.js';

describe("a cancel after the workflow's timeout, its timer not fired", () => {
  it('finds a running execution timed out: WORKFLOW_TIMEOUT, compensated, cancel answers false', async () => {
    const clock = stalledClock();
    const undone: string[] = [];
    const orch = await withOrchestrator({
      clock,
      actions: {
        first: () => 1,
        hang: (_input, ctx) => untilAborted(ctx.signal),
      },
      compensations: { undo: (output) => void undone.push(String(output)) },
    });
    const events = collectEvents(orch, ['step.started']);
    const e = orch.workflowEngine;
    await e.defineWorkflow('w', [{ name: 'first', compensation: 'undo' }, { name: 'hang' }], {
      timeout: 0.01,
    });
    const id = await e.executeWorkflow('w');
    await until(() => events.of('step.started').some((s) => s.step === 'hang'));
    clock.move(11);
    expect(await e.cancelWorkflow(id)).toBe(false);
    const status = await e.waitForCompletion(id);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT', step: 'hang' });
    expect(undone).toEqual(['1']);
  });

  it('cancels a running execution at its timeout exactly', async () => {
    const clock = stalledClock();
    const orch = await withOrchestrator({
      clock,
      actions: { hang: (_input, ctx) => untilAborted(ctx.signal) },
    });
    const events = collectEvents(orch, ['step.started']);
    const e = orch.workflowEngine;
    await e.defineWorkflow('w', [{ name: 'hang' }], { timeout: 0.01 });
    const id = await e.executeWorkflow('w');
    await until(() => events.of('step.started').length > 0);
    clock.move(10);
    expect(await e.cancelWorkflow(id)).toBe(true);
    expect((await e.waitForCompletion(id)).status).toBe('cancelled');
  });

  it('finds a queued one timed out before it could start', async () => {
    const clock = stalledClock();
    const { orch, hold } = await oneSlotOrchestrator({ clock });
    const e = orch.workflowEngine;
    await e.defineWorkflow('slow', [{ name: 'block' }], { timeout: 600 });
    await e.defineWorkflow('fast', [{ name: 'quick' }], { timeout: 5 });
    try {
      await e.executeWorkflow('slow');
      const late = await e.executeWorkflow('fast');
      clock.move(5_001);
      expect(await e.cancelWorkflow(late)).toBe(false);
      const status = await e.waitForCompletion(late);
      expect(status.status).toBe('failed');
      expect(status.error).toMatchObject({
        code: 'WORKFLOW_TIMEOUT',
        message: expect.stringMatching(/before it could start/),
      });
    } finally {
      hold.open();
    }
  });
});
