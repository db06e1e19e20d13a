/**
 * An execution accepted while a worker was registered, which was to start after the last worker
 * was removed (it waited in the queue, or its slot was reserved while it was being stored), waits
 * for a worker as `pending`, and runs once one is added. It used to reach the balancer's
 * NoWorkersError as it started, which the runner took for a store failure ("store write failed;
 * execution will be resumed"): it stayed pending for good, a worker added or not.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Orchestrator } from '../../src/index.js';
import { memoryLogger, until, waitForStatus, withOrchestrator } from '../helpers/orchestrator.js';

/**
 * Resolves after three housekeeping rounds, each of which wakes the queue (a 100 ms sleep may hold
 * none on a loaded machine): every round ends the queued executions past their deadline (none here).
 */
async function threeRounds(orch: Orchestrator): Promise<void> {
  const rounds = vi.spyOn(orch.workflowEngine, 'expireQueued');
  const from = rounds.mock.calls.length;
  await vi.waitFor(() => expect(rounds.mock.calls.length).toBeGreaterThan(from + 3), {
    timeout: 10_000,
    interval: 5,
  });
}

describe('an execution that is to start with no worker left', () => {
  it('waits in the queue for a worker, then runs on it', async () => {
    const logger = memoryLogger();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const orch = await withOrchestrator({
      logger,
      sweepInterval: 0.02,
      maxConcurrentWorkflows: 1,
      actions: { a: () => gate },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const first = await orch.workflowEngine.executeWorkflow('w');
    const second = await orch.workflowEngine.executeWorkflow('w');
    // The first one ends: its worker is idle, and is removed before the second one starts.
    orch.on('execution.completed', (e) => {
      if (e.executionId === first) orch.loadBalancer.removeWorker('worker_1');
    });
    release();
    await waitForStatus(orch, first, (s) => s.status === 'completed');
    await threeRounds(orch);
    expect((await orch.workflowEngine.getExecutionStatus(second))?.status).toBe('pending');
    expect(orch.getLocalLoad()).toEqual({ running: 0, queued: 1 });
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);

    orch.loadBalancer.addWorker('worker_2');
    const status = await orch.workflowEngine.waitForCompletion(second, { timeout: 5 });
    expect(status).toMatchObject({ status: 'completed', workerId: 'worker_2' });
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_2: 0 });
  });

  it('whose slot was reserved while it was stored waits too, then runs', async () => {
    const logger = memoryLogger();
    const orch = await withOrchestrator({ logger, sweepInterval: 0.02, actions: { a: () => 'done' } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    // Stored, about to start: the only worker goes.
    orch.on('execution.created', () => orch.loadBalancer.removeWorker('worker_1'));
    const id = await orch.workflowEngine.executeWorkflow('w');
    await threeRounds(orch);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(orch.getLocalLoad()).toEqual({ running: 0, queued: 1 });

    orch.loadBalancer.addWorker('worker_2');
    await until(async () => (await orch.workflowEngine.getExecutionStatus(id))?.status === 'completed');
    expect(await orch.workflowEngine.getExecutionStatus(id)).toMatchObject({ workerId: 'worker_2' });
  });
});
