/**
 * In cluster mode the nodes are the workers: an execution a node takes over from a dead one is
 * stored under the node at once. Its `workerId` named the dead node until it started here, which
 * it may not do for a while (it waits for a slot), and `orchestrator status` and
 * `GET /v1/executions/:id` showed that node meanwhile.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { tempSqliteUrl, until, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { heldExecution } from '../store/records.js';

/** A store for the node under test (`forNode()`, a new one per call) and one read as another node's. */
interface Stores {
  forNode(): string | Store;
  other: Store;
}

async function sqliteStores(): Promise<Stores> {
  const url = tempSqliteUrl();
  return { forNode: () => url, other: new SqliteStore(url.slice('sqlite:'.length)) };
}

async function postgresStores(): Promise<Stores> {
  await assertServerReachable();
  const schema = freshSchema();
  onTestFinished(() => dropSchema(schema));
  return {
    forNode: () => new PostgresStore(PG_URL, { schema, poolSize: 2 }),
    other: new PostgresStore(PG_URL, { schema, poolSize: 2 }),
  };
}

describe.each([
  ['SQLite', sqliteStores],
  ['PostgreSQL', postgresStores],
])('an execution taken over from a dead node in cluster mode (%s)', (_name, makeStores) => {
  it('is stored under the node that took it, before it starts there', async () => {
    const { forNode, other } = await makeStores();
    const seed = await withOrchestrator({ store: forNode(), nodeId: 'n0', actions: { wait: () => 1 } });
    await seed.workflowEngine.defineWorkflow('wait', [{ name: 'wait' }]);
    await seed.close();
    // What a crash of n1 leaves: two executions started on it, their leases run out.
    await other.init();
    onTestFinished(() => other.close());
    const expired = Date.now() - 1;
    for (const id of ['first', 'second']) {
      await other.createExecution(heldExecution(id, 'wait', 'n1', expired, { workerId: 'n1' }));
    }
    // One slot: one of them runs (and stays running), the other waits for the slot.
    const orch = await withOrchestrator({
      store: forNode(),
      nodeId: 'n2',
      cluster: true,
      maxConcurrentWorkflows: 1,
      sweepInterval: 0.05,
      actions: { wait: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await until(async () => (await other.getExecution('second'))?.execution.owner === 'n2');
    await until(async () => (await other.getExecution('first'))?.execution.owner === 'n2');
    const stored = await Promise.all(
      ['first', 'second'].map(async (id) => (await other.getExecution(id))!.execution),
    );
    expect(stored.map((r) => [r.owner, r.workerId])).toEqual([
      ['n2', 'n2'],
      ['n2', 'n2'],
    ]);
    const waiting = await Promise.all(
      ['first', 'second'].map((id) => orch.workflowEngine.getExecutionStatus(id)),
    );
    expect(waiting.map((s) => s?.workerId)).toEqual(['n2', 'n2']);
  });
});

describe('an execution queued on a node in cluster mode', () => {
  it('has no worker in its status, as every other node reads it from the store', async () => {
    const url = tempSqliteUrl();
    const orch = await withOrchestrator({
      store: url,
      nodeId: 'n1',
      cluster: true,
      maxConcurrentWorkflows: 1,
      actions: { wait: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await orch.workflowEngine.defineWorkflow('wait', [{ name: 'wait' }]);
    const running = await orch.workflowEngine.executeWorkflow('wait');
    const queued = await orch.workflowEngine.executeWorkflow('wait');
    await until(async () => (await orch.workflowEngine.getExecutionStatus(running))?.status === 'running');
    const here = await orch.workflowEngine.getExecutionStatus(queued);
    expect(here?.status).toBe('pending');
    // The node holding it named itself; the store (what another node answers) names none.
    expect(here?.workerId).toBeUndefined();
    expect((await orch.store.getExecution(queued))?.execution.workerId).toBeNull();
    expect((await orch.workflowEngine.getExecutionStatus(running))?.workerId).toBe('n1');
  });
});
