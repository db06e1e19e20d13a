/**
 * With every worker removed from the balancer, `executeWorkflow` fails with NoWorkersError
 * (SPEC §4) before anything is stored, instead of accepting an execution nothing can run; once a
 * worker is added, executions run again. A node without workers on a shared durable store leaves
 * the executions other processes left behind to nodes that have one (it neither takes them up nor
 * holds them), and takes them up once a worker is added.
 */
import { describe, expect, it } from 'vitest';
import { NoWorkersError } from '../../src/index.js';
import {
  memoryLogger,
  runToEnd,
  tempSqliteUrl,
  until,
  untilAborted,
  waitForStatus,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe('no workers', () => {
  it('refuses new executions with NoWorkersError until a worker is added', async () => {
    const orch = await withOrchestrator({ actions: { a: () => 1 } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    orch.loadBalancer.removeWorker('worker_1');
    await expect(orch.workflowEngine.executeWorkflow('w')).rejects.toBeInstanceOf(NoWorkersError);
    expect(await orch.workflowEngine.listExecutions({})).toEqual([]);
    expect(orch.getMetrics().executions.total).toBe(0);

    orch.loadBalancer.addWorker('worker_2');
    const status = await runToEnd(orch, 'w');
    expect(status).toMatchObject({ status: 'completed', workerId: 'worker_2' });
  });
});

describe('no workers, on a store shared with other processes', () => {
  /** A node whose only worker was removed, and another that leaves a running execution behind. */
  async function orphanBesideWorkerlessNode() {
    const url = tempSqliteUrl();
    const logger = memoryLogger();
    const idle = await withOrchestrator({
      store: url,
      logger,
      sweepInterval: 0.02,
      actions: { block: () => 'done' },
    });
    idle.loadBalancer.removeWorker('worker_1');
    const leaving = await withOrchestrator({
      store: url,
      sweepInterval: 0.02,
      actions: { block: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await leaving.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const id = await leaving.workflowEngine.executeWorkflow('w');
    await waitForStatus(leaving, id, (s) => s.steps[0]?.status === 'running');
    await leaving.close();
    // Several housekeeping rounds of the workerless node.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { url, idle, id, logger };
  }

  it('does not take up executions it has no worker for, so a node with workers runs them', async () => {
    const { url, idle, id, logger } = await orphanBesideWorkerlessNode();
    expect(logger.lines.filter((l) => l.msg?.includes('store write failed'))).toEqual([]);

    const other = await withOrchestrator({
      store: url,
      sweepInterval: 0.02,
      actions: { block: () => 'done' },
    });
    const status = await other.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status).toMatchObject({ status: 'completed', outputData: { block: 'done' } });
    // Counted among the other processes' executions, as the workerless node re-reads them.
    await until(() => idle.getMetrics().executions.completed === 1);
    expect(idle.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
  });

  it('takes them up once a worker is added', async () => {
    const { idle, id } = await orphanBesideWorkerlessNode();
    idle.loadBalancer.addWorker('worker_2');
    const status = await idle.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status).toMatchObject({ status: 'completed', workerId: 'worker_2' });
  });

  it('leaves a cancel request for a node with a worker, answering false', async () => {
    const { url, idle, id, logger } = await orphanBesideWorkerlessNode();
    expect(await idle.workflowEngine.cancelWorkflow(id)).toBe(false);
    expect(logger.lines.filter((l) => l.msg?.includes('store write failed'))).toEqual([]);

    const other = await withOrchestrator({
      store: url,
      sweepInterval: 0.02,
      actions: { block: () => 'done' },
    });
    const status = await other.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('cancelled');
  });
});
