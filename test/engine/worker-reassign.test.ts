/**
 * `loadBalancer.removeWorker` moves a running execution to another worker (SPEC §4); the
 * execution's `workerId` follows it for good — while it runs, once it finished, and in the store
 * a restart reads — instead of going back to the removed worker when it ends.
 */
import { describe, expect, it } from 'vitest';
import { gate, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('worker reassignment (%s store)', (kind) => {
  it('keeps the new worker in the status of a moved execution after it ends', async () => {
    const release = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      workers: ['w_a', 'w_b'],
      actions: { a: () => release.promise.then(() => 1), b: () => 2 },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const started = await orch.workflowEngine.getExecutionStatus(id);
    expect(started?.workerId).toBe('w_a');

    expect(orch.loadBalancer.removeWorker('w_a')).toEqual({ [id]: 'w_b' });
    expect((await orch.workflowEngine.getExecutionStatus(id))?.workerId).toBe('w_b');

    release.open();
    const done = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(done).toMatchObject({ status: 'completed', workerId: 'w_b' });
    const [listed] = await orch.workflowEngine.listExecutions({ workflowId: 'w' });
    expect(listed?.workerId).toBe('w_b');
  });
});
