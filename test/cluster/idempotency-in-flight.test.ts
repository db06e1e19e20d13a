/**
 * Nodes sharing a PostgreSQL store: a retry with an idempotency key, sent to another node while
 * the first node's create with that key is inserted but not yet committed, gets the first call's
 * id once that create commits — also where the second node would refuse a new execution
 * (SPEC §4: same key → same execution id). The first node's create is held by a trigger of the
 * test that waits, inside the create's transaction, for an advisory lock the test holds.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NoWorkersError, OrchestratorError } from '../../src/errors.js';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';
import { PG_SERIALIZABLE_URL, PG_URL, withClient } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

/** Advisory-lock class of the gate (the key is the schema's hash: one gate per test). */
const GATE_CLASS = 7311;

/** A node on `schema`; no housekeeping round runs during a test (the balancer stays as set). */
async function node(schema: string, url = PG_URL, options: PostgresStoreOptions = {}): Promise<Orchestrator> {
  const orch = await createOrchestrator({
    store: new PostgresStore(url, { ...options, schema }),
    sweepInterval: 60,
    leaseSeconds: 180,
    actions: { charge: () => 'charged' },
  });
  t.later(() => orch.close());
  return orch;
}

/**
 * Makes the insert of an execution of `pay` with key `order-1` wait, in its transaction, for the
 * gate `holder` takes now (then fail, with `then: 'fail'`); returns the function that opens it.
 */
async function holdCreates(
  holder: pg.Client,
  schema: string,
  then: 'commit' | 'fail' = 'commit',
): Promise<() => Promise<unknown>> {
  await holder.query(`
    CREATE FUNCTION "${schema}".hold_create() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(${GATE_CLASS}, hashtext(TG_TABLE_SCHEMA));
      IF TG_ARGV[0] = 'fail' THEN RAISE EXCEPTION 'create failed by the test'; END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER hold_create AFTER INSERT ON "${schema}".executions FOR EACH ROW
      WHEN (NEW.idempotency_key = 'order-1' AND NEW.workflow_id = 'pay')
      EXECUTE FUNCTION "${schema}".hold_create('${then}');`);
  await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [GATE_CLASS, schema]);
  return () => holder.query('SELECT pg_advisory_unlock($1, hashtext($2))', [GATE_CLASS, schema]);
}

/** Resolves once a connection of the nodes on `schema` waits on `waitEvent` (or `done` settled). */
async function untilWaiting(
  holder: pg.Client,
  schema: string,
  waitEvent: 'advisory' | 'transactionid',
  done: Promise<unknown>,
): Promise<void> {
  let settled = false;
  void done.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (;;) {
    const waiting = await holder.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'
         AND wait_event = $2`,
      [`orchestrator:${schema}`, waitEvent],
    );
    if (waiting.rowCount || settled) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A node on `schema` that refuses a new execution: no node is left in its balancer. On a server
 * whose default isolation is SERIALIZABLE (the store's transactions set their own).
 */
async function withoutNodes(schema: string, options: PostgresStoreOptions = {}): Promise<Orchestrator> {
  const second = await node(schema, PG_SERIALIZABLE_URL, options);
  // Known here before the balancer is emptied, so nothing is read in between.
  expect(await second.workflowEngine.getWorkflow('pay')).not.toBeNull();
  for (const worker of second.loadBalancer.getWorkers()) second.loadBalancer.removeWorker(worker);
  return second;
}

/** How the second node is made to refuse a new execution of `pay` (or not). */
const seconds: [string, (schema: string) => Promise<Orchestrator>][] = [
  ['a node with no node left to place on', (schema) => withoutNodes(schema)],
  [
    'a node that cannot run the latest version',
    async (schema) => {
      // Version 1 as a newer release would have stored it: the next node to start cannot read it.
      await withClient((client) =>
        client.query(`UPDATE "${schema}".definitions SET body = $1 WHERE id = 'pay' AND version = 1`, [
          JSON.stringify({ steps: [{ name: 'charge', awaitSignal: 'paid' }], options: {} }),
        ]),
      );
      return node(schema);
    },
  ],
  [
    'a node that no longer finds the workflow',
    async (schema) => {
      // Its definitions deleted by hand: the first node still has it in memory, the next one not.
      await withClient((client) => client.query(`DELETE FROM "${schema}".definitions WHERE id = 'pay'`));
      return node(schema);
    },
  ],
  ['a node that would create it', (schema) => node(schema)],
];

describe('a retry on another node while the first create with its key is not yet committed (PostgreSQL)', () => {
  it.each(seconds)(
    '%s gives the retry the first call’s id once it commits',
    async (_, makeSecond) => {
      const schema = t.schema();
      const first = await node(schema);
      await first.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
      const second = await makeSecond(schema);
      await withClient(async (holder) => {
        const open = await holdCreates(holder, schema);
        const firstCall = first.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
        firstCall.catch(() => undefined);
        // The first create's row is inserted, its transaction waits for the gate.
        await untilWaiting(holder, schema, 'advisory', firstCall);
        const retry = second.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
        retry.catch(() => undefined);
        // The retry waits for the first create's transaction (or already answered).
        await untilWaiting(holder, schema, 'transactionid', retry);
        await open();
        const id = await firstCall;
        expect(await retry).toBe(id);
      });
      expect(await second.workflowEngine.countExecutions()).toBe(1);
    },
    20_000,
  );
});

describe('a retry on another node whose first create with its key does not commit (PostgreSQL)', () => {
  it('is refused as a new call once that create failed', async () => {
    const schema = t.schema();
    const first = await node(schema);
    await first.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
    const second = await withoutNodes(schema);
    await withClient(async (holder) => {
      const open = await holdCreates(holder, schema, 'fail');
      const firstCall = first.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
      firstCall.catch(() => undefined);
      await untilWaiting(holder, schema, 'advisory', firstCall);
      const retry = second.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
      retry.catch(() => undefined);
      await untilWaiting(holder, schema, 'transactionid', retry);
      await open();
      await expect(firstCall).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(retry).rejects.toBeInstanceOf(NoWorkersError);
    });
    expect(await second.workflowEngine.countExecutions()).toBe(0);
  }, 20_000);

  it('fails with STORE_UNAVAILABLE when that create is not over within queryTimeoutMs; a later retry gets its id', async () => {
    const schema = t.schema();
    const first = await node(schema);
    await first.workflowEngine.defineWorkflow('pay', [{ name: 'charge' }]);
    const second = await withoutNodes(schema, { queryTimeoutMs: 500 });
    await withClient(async (holder) => {
      const open = await holdCreates(holder, schema);
      const firstCall = first.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
      firstCall.catch(() => undefined);
      await untilWaiting(holder, schema, 'advisory', firstCall);
      // Whether the key is used is not known yet: neither the id nor NoWorkersError.
      const retry = second.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' });
      await expect(retry).rejects.toBeInstanceOf(OrchestratorError);
      await expect(retry).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await open();
      const id = await firstCall;
      expect(await second.workflowEngine.executeWorkflow('pay', {}, { idempotencyKey: 'order-1' })).toBe(id);
    });
  }, 20_000);
});
