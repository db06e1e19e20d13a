/**
 * A compensation attempt that ends after its timeout (the step's `timeout`), the timer not fired
 * yet, is a STEP_TIMEOUT as a step's attempt is (the check is runAttempt's, which compensations
 * share): its late success is not taken. The workflow's timeout does not cut compensations short.
 */
import { describe, expect, it } from 'vitest';
import { withOrchestrator } from '../helpers/orchestrator.js';
import { stalledClock } from '../helpers/stalled-clock.js';

async function compensate(undoMs: number, workflowTimeout?: number) {
  const clock = stalledClock();
  const orch = await withOrchestrator({ clock, retryAttempts: 0 });
  orch.workflowEngine.registerAction('first', () => 1);
  orch.workflowEngine.registerAction('boom', () => {
    throw new Error('boom');
  });
  orch.errorRecovery.registerCompensation('undo', async () => {
    clock.move(undoMs);
  });
  await orch.workflowEngine.defineWorkflow(
    'w',
    [{ name: 'first', timeout: 0.01, compensation: 'undo' }, { name: 'boom' }],
    workflowTimeout === undefined ? {} : { timeout: workflowTimeout },
  );
  return orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('w'));
}

describe('a compensation that ends after its timeout, the timer not fired', () => {
  it('fails with STEP_TIMEOUT though its handler returned', async () => {
    const status = await compensate(11);
    expect(status.error).toMatchObject({ code: 'STEP_FAILED', step: 'boom' });
    expect(status.steps[0]?.compensation).toMatchObject({
      status: 'failed',
      error: { code: 'STEP_TIMEOUT', step: 'first' },
    });
  });

  it('completes at its timeout exactly, and past the workflow timeout', async () => {
    expect((await compensate(10)).steps[0]?.compensation).toMatchObject({ status: 'completed' });
    expect((await compensate(10, 0.005)).steps[0]?.compensation).toMatchObject({ status: 'completed' });
  });
});
