/**
 * A cluster node whose heartbeats fail while the rest of its writes pass (its row of the node
 * registry locked by another session, say): it still renews its leases, so no other node takes
 * its executions over. The rest of its housekeeping must go on all the same: the cancel requests
 * other nodes record for its executions, and the executions it gave up after a failed write,
 * which nobody else can take up while it renews their leases.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, PostgresStore } from '../../src/index.js';
import type { ExecutionUpdate, NodeRecord } from '../../src/store/store.js';
import { gate, silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

/** A store whose heartbeats fail while `failHeartbeats` is set, and whose next `failUpdates` updates fail. */
class HeartbeatsFail extends PostgresStore {
  failHeartbeats = false;
  failUpdates = 0;
  override heartbeat(node: NodeRecord): Promise<void> {
    if (this.failHeartbeats)
      return Promise.reject(new Error('canceling statement due to lock timeout (injected)'));
    return super.heartbeat(node);
  }
  override update(update: ExecutionUpdate): Promise<void> {
    if (this.failUpdates > 0) {
      this.failUpdates--;
      return Promise.reject(new Error('connection lost (injected)'));
    }
    return super.update(update);
  }
}

async function node(store: PostgresStore, actions: Record<string, () => unknown>): Promise<Orchestrator> {
  const orch = await createOrchestrator({
    store,
    logger: silentLogger,
    leaseSeconds: 2,
    sweepInterval: 0.2,
    actions,
  });
  t.later(() => orch.close());
  return orch;
}

it('applies a cancel request another node recorded for its execution', async () => {
  const schema = t.schema();
  const store = new HeartbeatsFail(PG_URL, { schema });
  const a = await node(store, { wait: () => new Promise(() => undefined) });
  await a.workflowEngine.defineWorkflow('w', [{ name: 'wait', action: 'wait' }]);
  const id = await a.workflowEngine.executeWorkflow('w', {});
  store.failHeartbeats = true;
  const b = await node(new PostgresStore(PG_URL, { schema }), {});
  expect((await b.workflowEngine.getExecutionStatus(id))?.workerId).toBe(a.nodeId);
  expect(await b.workflowEngine.cancelWorkflow(id)).toBe(true);
}, 30_000);

it('takes up again an execution it gave up after a failed write', async () => {
  const schema = t.schema();
  const store = new HeartbeatsFail(PG_URL, { schema });
  const held = gate();
  let runs = 0;
  const a = await node(store, {
    work: () => {
      runs++;
      return runs === 1 ? held.promise.then(() => 'first') : 'again';
    },
  });
  await a.workflowEngine.defineWorkflow('w', [{ name: 'work', action: 'work' }]);
  const id = await a.workflowEngine.executeWorkflow('w', {});
  await until(() => runs === 1, 'the step to start');
  store.failHeartbeats = true;
  store.failUpdates = 1;
  held.open();
  const status = await a.workflowEngine.waitForCompletion(id, { timeout: 10 });
  expect(status.status).toBe('completed');
}, 30_000);
