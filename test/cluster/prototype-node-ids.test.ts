/**
 * Cluster nodes named like members of `Object.prototype` ('constructor', 'toString', '__proto__':
 * node ids are free text). The stores' load per owner was a plain object, so such a node read
 * back the prototype's member: an idle one came out as a load of NaN, which the balancer refused,
 * and `createOrchestrator` failed with 'Invalid setExternalLoad arguments' — on the node so named
 * and on every other node of its cluster.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { heldExecution } from '../store/records.js';

const NAMES = ['constructor', 'toString', '__proto__'];

describe.each(STORE_KINDS)('cluster node ids named like Object.prototype members (%s store)', (kind) => {
  it.each(NAMES)('a node named %s starts, runs and reports its load', async (nodeId) => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      cluster: true,
      nodeId,
      actions: { step: () => 'done' },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'step' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await orch.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('completed');
    expect(Object.entries(orch.loadBalancer.getLoadDistribution())).toEqual([[nodeId, 0]]);
  });
});

/** A store of the Store interface whose loads per owner are a plain object (with a prototype). */
class PlainLoadsStore extends MemoryStore {
  override async loadByOwner(): Promise<Record<string, number>> {
    return { ...(await super.loadByOwner()) };
  }
}

describe.each([
  ['the memory store', () => new MemoryStore()],
  ['a store giving a plain object', () => new PlainLoadsStore()],
])('other cluster nodes named like Object.prototype members (%s)', (_name, makeStore) => {
  it('are counted with their own loads, idle or not, by a node that starts beside them', async () => {
    const store = makeStore();
    const now = Date.now();
    for (const [i, node] of NAMES.entries()) {
      await store.heartbeat({
        id: node,
        startedAt: now - 1_000,
        lastHeartbeat: now,
        running: i,
        queued: 0,
        capacity: 10,
        info: { cluster: true, leaseSeconds: 60 },
      });
      // 'constructor' idle, 'toString' with one execution, '__proto__' with two.
      for (let k = 0; k < i; k++) {
        await store.createExecution(heldExecution(`${node}-${k}`, 'held', node, now + 60_000));
      }
    }
    const orch = await withOrchestrator({ store, cluster: true, nodeId: 'a', leaseSeconds: 60 });
    const loads = orch.loadBalancer.getLoadDistribution();
    expect(Object.entries(loads).sort()).toEqual([
      ['__proto__', 2],
      ['a', 0],
      ['constructor', 0],
      ['toString', 1],
    ]);
  });
});
