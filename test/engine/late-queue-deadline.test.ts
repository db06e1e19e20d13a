/**
 * A queued execution whose workflow timeout passed while it waited for a slot, the deadline timer
 * not fired yet (a stalled event loop runs due timers list by list), is ended when a slot frees,
 * without starting: failed "before it could start", as when the timer fires — never started, with no
 * `execution.started`, and the executions behind it still start in their turn.
 */
import { describe, expect, it } from 'vitest';
import { oneSlotOrchestrator } from '../helpers/one-slot.js';
import { collectEvents } from '../helpers/orchestrator.js';
import { stalledClock } from '../helpers/stalled-clock.js';

describe("a queued execution past its workflow's timeout, the timer not fired", () => {
  it('fails before it could start when a slot frees, and the next one starts', async () => {
    const clock = stalledClock();
    const { orch, hold, runs } = await oneSlotOrchestrator({ clock });
    const events = collectEvents(orch, ['execution.started']);
    const e = orch.workflowEngine;
    await e.defineWorkflow('slow', [{ name: 'block' }], { timeout: 600 });
    await e.defineWorkflow('fast', [{ name: 'quick' }], { timeout: 5 });
    const first = await e.executeWorkflow('slow');
    const late = await e.executeWorkflow('fast');
    clock.move(5_001);
    const next = await e.executeWorkflow('slow');
    hold.open();
    const status = await e.waitForCompletion(late);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({
      code: 'WORKFLOW_TIMEOUT',
      message: expect.stringMatching(/before it could start/),
    });
    expect(orch.getMetrics('fast').executions).toMatchObject({ failed: 1, running: 0, pending: 0 });
    expect((await e.waitForCompletion(next)).status).toBe('completed');
    expect(runs).toEqual([first, next]);
    expect(events.of('execution.started').map((s) => s.executionId)).toEqual([first, next]);
  });
});
