/**
 * A restart keeps an execution's stored workflow deadline, whatever `workflowTimeout` the new
 * process has: its WORKFLOW_TIMEOUT message names the timeout it ran under, not the new one (it
 * said "timed out after 100s" of an execution that failed 0.3 s after acceptance).
 */
import { describe, expect, it } from 'vitest';
import { tempSqliteUrl, untilAborted, waitForStatus, withOrchestrator } from '../helpers/orchestrator.js';

const actions = {
  a: () => 'done',
  hang: (_input: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal),
};
// The running execution's saga holds its slot well past the queued one's deadline (a few ms after
// its own): the queued one then times out still queued, whatever the machine's speed.
const compensations = { slowUndo: () => new Promise<void>((resolve) => setTimeout(resolve, 500)) };

describe('the WORKFLOW_TIMEOUT message after a restart with another workflowTimeout', () => {
  it('names the timeout the execution was accepted with, running or still queued', async () => {
    const store = tempSqliteUrl();
    const first = await withOrchestrator({
      store,
      workflowTimeout: 0.3,
      maxConcurrentWorkflows: 1,
      actions,
      compensations,
    });
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'slowUndo' },
      { name: 'hang' },
    ]);
    const running = await first.workflowEngine.executeWorkflow('w');
    const queued = await first.workflowEngine.executeWorkflow('w');
    await waitForStatus(first, running, (s) => s.stepsCompleted === 1);
    await first.close();

    const second = await withOrchestrator({
      store,
      workflowTimeout: 100,
      maxConcurrentWorkflows: 1,
      actions,
      compensations,
    });
    const ran = await second.workflowEngine.waitForCompletion(running, { timeout: 10 });
    expect(ran.error).toEqual({
      code: 'WORKFLOW_TIMEOUT',
      message: 'Workflow timed out after 0.3s',
      step: 'hang',
    });
    const waited = await second.workflowEngine.waitForCompletion(queued, { timeout: 10 });
    expect(waited.error).toEqual({
      code: 'WORKFLOW_TIMEOUT',
      message: 'Workflow timed out after 0.3s before it could start',
    });
  });
});
