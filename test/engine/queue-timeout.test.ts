/**
 * The workflow timeout counts from acceptance, queue time included: an execution still waiting
 * for a slot when its deadline passes fails with WORKFLOW_TIMEOUT without ever running.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { oneSlotOrchestrator } from '../helpers/one-slot.js';
import { collectEvents, gate, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('queued executions past their deadline (%s store)', (kind) => {
  it('fail with WORKFLOW_TIMEOUT while queued, and never run', async () => {
    const clock = new FakeClock();
    const { orch, hold, runs } = await oneSlotOrchestrator({
      store: storeUrl(kind),
      clock,
      workflowTimeout: 60,
    });
    const events = collectEvents(orch, ['execution.failed']);
    await orch.workflowEngine.defineWorkflow('slow', [{ name: 'block' }], { timeout: 600 });
    await orch.workflowEngine.defineWorkflow('fast', [{ name: 'quick' }], { timeout: 5 });
    const first = await orch.workflowEngine.executeWorkflow('slow');
    const queued = await orch.workflowEngine.executeWorkflow('fast');
    expect((await orch.workflowEngine.getExecutionStatus(queued))?.status).toBe('pending');

    await clock.advance(4_000);
    expect((await orch.workflowEngine.getExecutionStatus(queued))?.status).toBe('pending');
    await clock.advance(2_000);
    const status = await orch.workflowEngine.waitForCompletion(queued);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT' });
    expect(status.steps[0]?.status).toBe('skipped');
    expect(runs).toEqual([first]);
    expect(events.of('execution.failed').map((e) => e.executionId)).toEqual([queued]);
    expect(orch.getMetrics('fast').executions).toMatchObject({ failed: 1, pending: 0 });

    hold.open();
    expect((await orch.workflowEngine.waitForCompletion(first)).status).toBe('completed');
  });

  it('fail at their deadline, not at the next housekeeping round', async () => {
    const clock = new FakeClock();
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      // Housekeeping every 30 s: the queued execution's 0.5 s must not wait for it.
      sweepInterval: 30,
      leaseSeconds: 90,
      maxConcurrentWorkflows: 1,
      actions: { block: () => hold.promise, quick: () => 'ok' },
    });
    await orch.workflowEngine.defineWorkflow('slow', [{ name: 'block' }], { timeout: 600 });
    await orch.workflowEngine.defineWorkflow('fast', [{ name: 'quick' }], { timeout: 0.5 });
    await orch.workflowEngine.defineWorkflow('later', [{ name: 'quick' }], { timeout: 2 });
    const first = await orch.workflowEngine.executeWorkflow('slow');
    const later = await orch.workflowEngine.executeWorkflow('later');
    const queued = await orch.workflowEngine.executeWorkflow('fast');

    await clock.advance(499);
    expect((await orch.workflowEngine.getExecutionStatus(queued))?.status).toBe('pending');
    await clock.advance(1);
    const status = await orch.workflowEngine.getExecutionStatus(queued);
    expect(status).toMatchObject({ status: 'failed', error: { code: 'WORKFLOW_TIMEOUT' } });
    expect(status?.completedAt?.getTime()).toBe(status!.startedAt.getTime() + 500);
    // The one queued ahead of it, with a later deadline, is timed out at its own.
    expect((await orch.workflowEngine.getExecutionStatus(later))?.status).toBe('pending');
    await clock.advance(1_500);
    expect((await orch.workflowEngine.getExecutionStatus(later))?.status).toBe('failed');

    hold.open();
    expect((await orch.workflowEngine.waitForCompletion(first)).status).toBe('completed');
  });
});
