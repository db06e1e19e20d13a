/**
 * With every worker removed from the balancer, `executeWorkflow` fails with NoWorkersError
 * (SPEC §4) before anything is stored, instead of accepting an execution nothing can run; once a
 * worker is added, executions run again.
 */
import { describe, expect, it } from 'vitest';
import { NoWorkersError } from '../../src/index.js';
import { runToEnd, withOrchestrator } from '../helpers/orchestrator.js';

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
