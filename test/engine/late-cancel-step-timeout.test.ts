/**
 * A cancel that comes after a step's (or a parallel step's) timeout passed, its timer not fired yet
 * (a stalled event loop runs due timers list by list; a request can be served first), finds the
 * step timed out, as it would had the timer run: a step with no retry left fails its execution
 * with STEP_TIMEOUT (compensating what completed) and the cancel answers false, as for an execution
 * that failed before it; a step that retries is cancelled in its backoff, its attempt failed.
 */
import { describe, expect, it } from 'vitest';
import type { StepDefinition } from '../../src/index.js';
import { collectEvents, until, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { stalledClock } from '../helpers/stalled-clock.js';

async function started(steps: StepDefinition[]) {
  const clock = stalledClock();
  const undone: string[] = [];
  const orch = await withOrchestrator({
    clock,
    actions: { first: () => 1, hang: (_input, ctx) => untilAborted(ctx.signal) },
    compensations: { undo: (output) => void undone.push(String(output)) },
  });
  const events = collectEvents(orch, ['step.started', 'step.failed']);
  const e = orch.workflowEngine;
  await e.defineWorkflow('w', [{ name: 'first', compensation: 'undo' }, ...steps], { timeout: 600 });
  const id = await e.executeWorkflow('w');
  await until(() => events.of('step.started').some((s) => s.step === 'hang'));
  return { orch, clock, id, undone, events };
}

describe("a cancel after a step's timeout, its timer not fired", () => {
  it('finds the step timed out: STEP_TIMEOUT, compensated, cancel answers false', async () => {
    const { orch, clock, id, undone } = await started([
      { name: 'hang', timeout: 0.01, retry: { maxAttempts: 0 } },
    ]);
    clock.move(11);
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(false);
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'hang' });
    expect(undone).toEqual(['1']);
  });

  it('finds a parallel step timed out by its own timeout', async () => {
    const { orch, clock, id, undone } = await started([
      { name: 'p', timeout: 0.01, parallel: [{ name: 'hang' }] },
    ]);
    clock.move(11);
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(false);
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'p' });
    expect(undone).toEqual(['1']);
  });

  it('cancels a step that retries in its backoff, its attempt failed with STEP_TIMEOUT', async () => {
    const { orch, clock, id, undone, events } = await started([
      { name: 'hang', timeout: 0.01, retry: { maxAttempts: 1, initialDelay: 1 } },
    ]);
    clock.move(11);
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(true);
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('cancelled');
    expect(events.of('step.failed')).toEqual([
      expect.objectContaining({ step: 'hang', error: expect.objectContaining({ code: 'STEP_TIMEOUT' }) }),
    ]);
    expect(status.steps[1]?.history?.[0]?.error).toMatchObject({ code: 'STEP_TIMEOUT' });
    expect(undone).toEqual(['1']);
  });

  it('cancels at the timeout exactly', async () => {
    const { orch, clock, id } = await started([{ name: 'hang', timeout: 0.01, retry: { maxAttempts: 0 } }]);
    clock.move(10);
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(true);
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('cancelled');
    expect(status.error).toBeUndefined();
  });
});
