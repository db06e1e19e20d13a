/**
 * The PostgreSQL store behind PgBouncer, the usual connection pooler, run for real.
 * - It connects at all: PgBouncer refuses a startup parameter it does not know, and the store
 *   sent `idle_in_transaction_session_timeout` as one (every connection failed, in any mode). The
 *   timeout is now set per transaction (`SET LOCAL`), so it holds through a pooler too.
 * - In session mode it runs as it is.
 * - In transaction mode, server connections are shared between clients, so a statement prepared
 *   by one client is missing for it on the next server connection, or already there for the next
 *   client. `?preparedStatements=false` sends every statement unnamed; without it the failure
 *   says what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { freshSchema, storeBegin, withClient } from './pg-fixture.js';
import { type Bouncer, startBouncer } from './pgbouncer.js';
import { makeExecution } from './records.js';

let bouncer: Bouncer;
const schemas: string[] = [];
const schema = () => {
  const name = freshSchema();
  schemas.push(name);
  return name;
};

beforeAll(async () => {
  bouncer = await startBouncer();
}, 30_000);

afterAll(async () => {
  await bouncer?.stop();
  await withClient(async (client) => {
    for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  });
}, 30_000);

/** Runs `n` two-step executions on an orchestrator over `store` and returns their statuses. */
async function runMany(store: string, n: number) {
  const orch = await createOrchestrator({
    store,
    actions: { add: (input) => ({ n: (input as { n: number }).n + 1 }), echo: (input) => input },
  });
  try {
    await orch.workflowEngine.defineWorkflow('pair', [{ name: 'add' }, { name: 'echo' }]);
    const ids = await Promise.all(
      Array.from({ length: n }, (_, i) => orch.workflowEngine.executeWorkflow('pair', { n: i })),
    );
    return await Promise.all(ids.map((id) => orch.workflowEngine.waitForCompletion(id, { timeout: 60 })));
  } finally {
    await orch.close();
  }
}

/** Every execution completed with the right output, each step on its first attempt. */
function expectAllDone(statuses: Awaited<ReturnType<typeof runMany>>): void {
  statuses.forEach((status, i) => {
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ add: { n: i + 1 }, echo: { n: i } });
    expect(status.steps.map((step) => step.attempts)).toEqual([1, 1]);
  });
}

describe('the PostgreSQL store behind PgBouncer', () => {
  it('runs in session mode as it is (the idle timeout no longer travels as a startup parameter)', async () => {
    expectAllDone(await runMany(`${bouncer.url('session')}?schema=${schema()}`, 200));
  }, 90_000);

  it('keeps its idle-in-transaction timeout through the pooler, per transaction', async () => {
    const store = new PostgresStore(bouncer.url('tx'), {
      schema: schema(),
      idleInTransactionTimeoutMs: 700,
      preparedStatements: false,
    });
    try {
      await store.init();
      const pool = (store as unknown as { pool: import('pg').Pool }).pool;
      const client = await pool.connect();
      try {
        await client.query(storeBegin(store));
        const shown = await client.query('SHOW idle_in_transaction_session_timeout');
        await client.query('ROLLBACK');
        expect(shown.rows[0]).toEqual({ idle_in_transaction_session_timeout: '700ms' });
      } finally {
        client.release();
      }
    } finally {
      await store.close();
    }
  }, 30_000);

  it('runs in transaction mode with ?preparedStatements=false, two nodes sharing one server connection', async () => {
    const url = `${bouncer.url('tx')}?schema=${schema()}&preparedStatements=false`;
    const [a, b] = await Promise.all([runMany(url, 150), runMany(url, 150)]);
    expectAllDone(a);
    expectAllDone(b);
  }, 120_000);

  it('in transaction mode with prepared statements, fails saying to turn them off', async () => {
    const name = schema();
    // Two stores (two nodes) whose statements share the pooler's one server connection: the
    // second prepares a statement the first already prepared there.
    const first = openStore(`${bouncer.url('tx')}?schema=${name}`) as PostgresStore;
    const second = openStore(`${bouncer.url('tx')}?schema=${name}`) as PostgresStore;
    try {
      await first.init();
      await second.init();
      await first.createExecution(makeExecution({ id: 'one' }));
      const error = await second.createExecution(makeExecution({ id: 'two' })).then(
        () => null,
        (e: unknown) => e as Error & { code: string },
      );
      expect(error?.code).toBe('STORE_UNAVAILABLE');
      expect(error?.message).toMatch(
        /prepared statement "orchestrator_\w+" already exists \(SQLSTATE 42P05; /,
      );
      expect(error?.message).toContain(
        'behind a connection pooler in transaction mode, such as PgBouncer, open the store with ?preparedStatements=false',
      );
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  }, 30_000);

  it('refuses a preparedStatements that is not true or false, as an option and in the URL', () => {
    expect(() => new PostgresStore(bouncer.url('tx'), { preparedStatements: 'no' as never })).toThrow(
      /preparedStatements: Expected true or false, got "no"/,
    );
    expect(() => openStore(`${bouncer.url('tx')}?preparedStatements=0`)).toThrow(
      /store: the parameter 'preparedStatements': Expected true or false, got "0"/,
    );
  });
});
