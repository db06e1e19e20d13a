/**
 * A query of a PostgreSQL store that loses its connection (`pg_terminate_backend`: SQLSTATE 57P01,
 * as an administrator or a failover does) or gets no answer within `queryTimeoutMs` fails with
 * `STORE_UNAVAILABLE` naming the store's URL (password masked) and the cause in words; the store's
 * next query runs on a fresh connection. A statement the server refuses keeps the server's words.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/index.js';

const ADMIN = 'postgres://postgres@127.0.0.1:5432/test';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client(url);
  c.on('error', () => undefined);
  await c.connect();
  cleanups.push(() => c.end());
  return c;
}

/**
 * A fresh database with a store opened on it, and a session holding its executions table locked.
 * `warm` runs first, so the connection it needs is open before the lock: on a loaded machine a
 * connection opened under a 300 ms `queryTimeoutMs` (the connect timeout too) may itself time out.
 */
async function lockedStore(queryTimeoutMs: number, warm?: (store: PostgresStore) => Promise<unknown>) {
  const db = `orch_lost_${process.pid}_${Date.now()}`;
  const admin = await client(ADMIN);
  await admin.query(`CREATE DATABASE ${db}`);
  cleanups.push(() => admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
  const store = new PostgresStore(`postgres://postgres:s3cret@127.0.0.1:5432/${db}`, { queryTimeoutMs });
  await store.init();
  cleanups.push(() => store.close());
  if (warm) await warm(store);
  const locker = await client(`postgres://postgres@127.0.0.1:5432/${db}`);
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE orchestrator.executions IN ACCESS EXCLUSIVE MODE');
  return { db, admin, store, locker };
}

/** Resolves once a session of `db` other than `except` waits for a lock. */
async function someoneWaits(admin: pg.Client, db: string, except: number): Promise<void> {
  for (;;) {
    const { rows } = await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND pid <> $2 AND wait_event_type = 'Lock'`,
      [db, except],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function pidOf(c: pg.Client): number {
  return (c as unknown as { processID: number }).processID;
}

describe('a PostgreSQL store whose query loses its connection or its answer', () => {
  it.each([
    ['a read', (store: PostgresStore) => store.getExecution('ex_missing')],
    // A write said only "Connection terminated unexpectedly": the server's words came as an
    // error event of its connection, not as the answer of its query.
    ['a write (a lane batch)', (store: PostgresStore) => store.releaseLeases('node-x')],
  ])(
    'names its URL and "terminating connection" for a terminated backend (57P01) under %s, then works again',
    async (_, call) => {
      const { db, admin, store, locker } = await lockedStore(30_000);
      const read = call(store).catch((e: unknown) => e);
      await someoneWaits(admin, db, pidOf(locker));
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2',
        [db, pidOf(locker)],
      );
      const error = (await read) as Error & { code?: string };
      expect(error.code).toBe('STORE_UNAVAILABLE');
      expect(error.message).toBe(
        `PostgreSQL store at postgres://***@127.0.0.1:5432/${db}: terminating connection due to administrator command (SQLSTATE 57P01)`,
      );
      expect(error.message).not.toContain('s3cret');
      await locker.query('ROLLBACK');
      expect(await store.getExecution('ex_missing')).toBeNull();
      await call(store);
    },
  );

  it.each([
    ['a read', (store: PostgresStore) => store.getExecution('ex_missing')],
    ['a write (a lane batch)', (store: PostgresStore) => store.releaseLeases('node-x')],
  ])(
    'says how long %s waited for no answer (queryTimeoutMs), and what may be the cause; then works again',
    async (_, call) => {
      const { db, store, locker } = await lockedStore(300, call);
      const error = (await call(store).catch((e: unknown) => e)) as Error & { code?: string };
      expect(error.code).toBe('STORE_UNAVAILABLE');
      expect(error.message).toBe(
        `PostgreSQL store at postgres://***@127.0.0.1:5432/${db}: a query got no answer from the server within 300 ms (queryTimeoutMs): the server is overloaded, a lock held by another session kept the query waiting, or the network is cut`,
      );
      await locker.query('ROLLBACK');
      await call(store);
    },
  );

  it("names the wait of the start's migration bookkeeping past queryTimeoutMs too", async () => {
    const { db, locker } = await lockedStore(30_000);
    await locker.query('ROLLBACK');
    // The table of applied migrations locked elsewhere: reading which ones are applied gets no answer.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE orchestrator.schema_migrations IN ACCESS EXCLUSIVE MODE');
    const store = new PostgresStore(`postgres://postgres:s3cret@127.0.0.1:5432/${db}`, {
      queryTimeoutMs: 300,
    });
    cleanups.push(() => store.close());
    const error = (await store.init().catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toBe(
      "PostgreSQL migration of schema 'orchestrator' failed: a query got no answer from the server within 300 ms (queryTimeoutMs): the server is overloaded, a lock held by another session kept the query waiting, or the network is cut",
    );
  });

  it("keeps the server's words, without the URL, for a statement it refuses", async () => {
    const { db, store, locker } = await lockedStore(30_000);
    await locker.query('ROLLBACK');
    // The table the store reads, gone: the statement fails, the connection is fine.
    const owner = await client(`postgres://postgres@127.0.0.1:5432/${db}`);
    await owner.query('DROP TABLE orchestrator.executions CASCADE');
    const error = (await store.getExecution('ex_missing').catch((e: unknown) => e)) as Error & {
      code?: string;
    };
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toBe(
      'PostgreSQL store: relation "orchestrator.executions" does not exist (SQLSTATE 42P01)',
    );
  });
});
