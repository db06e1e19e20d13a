/**
 * Nodes sharing a PostgreSQL store: a retry with an idempotency key already used, sent to another
 * node than the first call, gets the id the first node gave — also where that node would refuse a
 * new execution (SPEC §4: same key → same execution id): its balancer has no node left to place
 * it on, or the latest version is one its release cannot run.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, NoWorkersError } from '../../src/errors.js';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL, withClient } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

/** A node on `schema`; no housekeeping round runs during a test (the balancer stays as set). */
async function node(schema: string): Promise<Orchestrator> {
  const orch = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    sweepInterval: 60,
    leaseSeconds: 180,
    actions: { charge: () => 'charged' },
  });
  t.later(() => orch.close());
  return orch;
}

/** `pay` (and `refund`) defined on `first`, `pay` run to the end there under key `order-1`. */
async function paidOn(first: Orchestrator): Promise<string> {
  await first.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
  await first.workflowEngine.defineWorkflow('refund', [{ name: 'charge' }]);
  const id = await first.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
  expect((await first.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
  return id;
}

describe('a key already used on another node (PostgreSQL)', () => {
  it('a node with no node left to place on gives the retry the existing id', async () => {
    const schema = t.schema();
    const first = await node(schema);
    const id = await paidOn(first);
    const second = await node(schema);
    // Known here before the balancer is emptied, so nothing is read in between.
    expect(await second.workflowEngine.getWorkflow('pay')).not.toBeNull();
    for (const worker of second.loadBalancer.getWorkers()) second.loadBalancer.removeWorker(worker);

    expect(await second.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' })).toBe(id);
    await expect(
      second.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-2' }),
    ).rejects.toBeInstanceOf(NoWorkersError);
    await expect(
      second.workflowEngine.executeWorkflow('refund', {}, { idempotencyKey: 'order-1' }),
    ).rejects.toBeInstanceOf(NoWorkersError);
    expect(await second.workflowEngine.countExecutions()).toBe(1);
  }, 20_000);

  it('a node that cannot run the latest version gives the retry the existing id', async () => {
    const schema = t.schema();
    const first = await node(schema);
    const id = await paidOn(first);
    // Version 1 as a newer release would have stored it: the next node to start cannot read it.
    await withClient((client) =>
      client.query(`UPDATE ${schema}.definitions SET body = $1 WHERE id = 'pay' AND version = 1`, [
        JSON.stringify({ steps: [{ name: 'charge', awaitSignal: 'paid' }], options: {} }),
      ]),
    );
    const older = await node(schema);

    expect(await older.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' })).toBe(id);
    await expect(
      older.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-2' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await older.workflowEngine.countExecutions()).toBe(1);
  }, 20_000);
});
