/**
 * Stores made by an older release (only the first migrations applied, with executions in every
 * state, steps, inputs, definitions, idempotency keys and leases) opened by this one: the pending
 * migrations are applied, the data reads back as written, and the store works (claims, fencing,
 * idempotency, the node registry, retention). The rows are copied from a store this release filled, so they
 * have the shape the store writes; the tables they go into are the older ones.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/errors.js';
import {
  migrate as migratePostgres,
  loadMigrations as postgresMigrations,
} from '../../src/store/postgres/migrate.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import {
  migrate as migrateSqlite,
  loadMigrations as sqliteMigrations,
} from '../../src/store/sqlite/migrate.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ExecutionSnapshot, Store } from '../../src/store/store.js';
import type { ExecutionState } from '../../src/types.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from './pg-fixture.js';
import { makeExecution, makeStep } from './records.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** The tables of the first migration, which hold the data. */
const DATA_TABLES = ['definitions', 'executions', 'execution_inputs', 'steps'];
const STATES: ExecutionState[] = ['pending', 'running', 'compensating', 'completed', 'failed', 'cancelled'];
const NOW = 1_000_000;

/** One execution per state (the unfinished ones leased to a node whose lease ran out), and more. */
async function fill(store: Store): Promise<ExecutionSnapshot[]> {
  await store.saveDefinition({ id: 'wf', version: 1, steps: [{ name: 'a' }], options: {}, createdAt: 1 });
  for (const [i, status] of STATES.entries()) {
    const unfinished = ['pending', 'running', 'compensating'].includes(status);
    await store.createExecution(
      makeExecution({
        id: `e-${status}`,
        status,
        input: { status, list: [1, 'two'] },
        idempotencyKey: `key-${status}`,
        owner: unfinished ? 'gone' : null,
        leaseUntil: unfinished ? NOW - 1 : null,
        createdAt: 100 + i,
        completedAt: unfinished ? null : 200 + i,
        cursor: i,
      }),
      [makeStep(`e-${status}`, 'a', { status: 'completed', output: { n: i } }), makeStep(`e-${status}`, 'b')],
    );
  }
  // No idempotency key, and a lease still held by a live node.
  await store.createExecution(makeExecution({ id: 'e-plain', createdAt: 300 }));
  await store.createExecution(
    makeExecution({ id: 'e-held', status: 'running', owner: 'alive', leaseUntil: NOW * 10, createdAt: 301 }),
  );
  return store.listExecutions({ limit: 100 });
}

/** What the upgraded store must read and do. */
async function checkUpgraded(store: Store, before: ExecutionSnapshot[]): Promise<void> {
  expect(await store.listExecutions({ limit: 100 })).toEqual(before);
  expect(await store.countExecutions({ status: 'running' })).toBe(2);
  expect(await store.listDefinitions()).toMatchObject([{ id: 'wf', version: 1, steps: [{ name: 'a' }] }]);
  expect(await store.createExecution(makeExecution({ id: 'dup', idempotencyKey: 'key-failed' }))).toEqual({
    id: 'e-failed',
    created: false,
  });
  expect(await store.createExecution(makeExecution({ id: 'new', idempotencyKey: 'key-new' }))).toEqual({
    id: 'new',
    created: true,
  });
  const claimed = await store.claimExecutions({ owner: 'me', leaseUntil: NOW * 2, now: NOW, limit: 50 });
  expect(claimed.map((e) => e.id).sort()).toEqual([
    'e-compensating',
    'e-pending',
    'e-plain',
    'e-running',
    'new',
  ]);
  const running = claimed.find((e) => e.id === 'e-running')!;
  await expect(
    store.update({ id: 'e-running', epoch: running.epoch - 1, set: { cursor: 9 } }),
  ).rejects.toBeInstanceOf(LeaseLostError);
  await store.update({
    id: 'e-running',
    epoch: running.epoch,
    set: { status: 'completed', completedAt: NOW, cursor: 9 },
    steps: [makeStep('e-running', 'b', { status: 'completed' })],
  });
  const done = (await store.getExecution('e-running'))!;
  expect(done.execution).toMatchObject({ status: 'completed', cursor: 9, input: { status: 'running' } });
  expect(done.steps.map((s) => [s.name, s.status])).toEqual([
    ['a', 'completed'],
    ['b', 'completed'],
  ]);
  await store.heartbeat({
    id: 'n1',
    startedAt: 1,
    lastHeartbeat: NOW,
    running: 1,
    queued: 0,
    capacity: 4,
    info: {},
  });
  expect((await store.listNodes()).map((n) => n.id)).toEqual(['n1']);
  // Retention on the finished executions the older release wrote: deleted with their steps and
  // input, counted on, their idempotency keys free again.
  const totals = { all: await store.aggregate(), mine: await store.aggregateByWorkflow({ owner: 'me' }) };
  expect(await store.purgeFinished!({ before: NOW + 1, limit: 100 })).toBe(4);
  expect(await store.aggregate()).toEqual(totals.all);
  expect(await store.aggregateByWorkflow({ owner: 'me' })).toEqual(totals.mine);
  expect(await store.getExecutions(['e-completed', 'e-failed', 'e-cancelled', 'e-running'])).toEqual([]);
  expect(await store.countExecutions({})).toBe(5);
  expect(await store.createExecution(makeExecution({ id: 'again', idempotencyKey: 'key-failed' }))).toEqual({
    id: 'again',
    created: true,
  });
}

describe('SQLite store made by an older release', () => {
  it.each(
    sqliteMigrations()
      .slice(0, -1)
      .map((_, i) => i + 1),
  )('with migrations up to %i: migrated, its data kept and usable', async (k) => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const source = new SqliteStore(join(dir, 'source.sqlite'));
    await source.init();
    const before = await fill(source);
    await source.close();
    const path = join(dir, 'old.sqlite');
    const db = new Database(path);
    cleanups.push(() => {
      db.close();
    });
    db.pragma('journal_mode = WAL');
    migrateSqlite(db, sqliteMigrations().slice(0, k));
    db.exec(`ATTACH '${join(dir, 'source.sqlite')}' AS source`);
    for (const table of DATA_TABLES) db.exec(`INSERT INTO ${table} SELECT * FROM source.${table}`);
    db.exec('DETACH source');
    const store = new SqliteStore(path);
    cleanups.push(() => store.close());
    await store.init();
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(
      sqliteMigrations().map((m) => m.version),
    );
    await checkUpgraded(store, before);
  });
});

describe('PostgreSQL store made by an older release', () => {
  it.each(
    postgresMigrations()
      .slice(0, -1)
      .map((_, i) => i + 1),
  )(
    'with migrations up to %i: migrated to the schema a new store gets, its data kept and usable',
    async (k) => {
      await assertServerReachable();
      const [fresh, old] = [freshSchema(), freshSchema()];
      cleanups.push(
        () => dropSchema(fresh),
        () => dropSchema(old),
      );
      const source = new PostgresStore(PG_URL, { schema: fresh, poolSize: 2 });
      await source.init();
      const before = await fill(source);
      await source.close();
      await withClient(async (client) => {
        await migratePostgres(client, old, postgresMigrations().slice(0, k));
        for (const table of DATA_TABLES) {
          await client.query(`INSERT INTO "${old}".${table} SELECT * FROM "${fresh}".${table}`);
        }
      });
      const store = new PostgresStore(PG_URL, { schema: old, poolSize: 2 });
      cleanups.push(() => store.close());
      await store.init();
      await checkUpgraded(store, before);
      // Same indexes, constraints and table options as a store created by this release.
      const shape = (schema: string) =>
        withClient(async (client) => {
          const indexes = await client.query(
            'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1',
            [schema],
          );
          const constraints = await client.query(
            `SELECT conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
               JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 ORDER BY 1`,
            [schema],
          );
          const options = await client.query(
            `SELECT relname, reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = $1 AND relkind = 'r' ORDER BY 1`,
            [schema],
          );
          return [indexes.rows, constraints.rows, options.rows];
        });
      const [got, want] = [await shape(old), await shape(fresh)];
      expect(JSON.stringify(got).replaceAll(old, 's')).toBe(JSON.stringify(want).replaceAll(fresh, 's'));
    },
  );
});

describe('PostgreSQL store whose operator built the retention index beforehand', () => {
  it('upgrades, keeping the index built CONCURRENTLY before migration 006', async () => {
    await assertServerReachable();
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const through5 = postgresMigrations().filter((m) => m.version <= 5);
    await withClient(async (client) => {
      await migratePostgres(client, schema, through5);
      await client.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS executions_finished_completed
        ON "${schema}".executions (completed_at) WHERE status IN ('completed', 'failed', 'cancelled')`);
    });
    const store = new PostgresStore(PG_URL, { schema, poolSize: 2 });
    cleanups.push(() => store.close());
    await store.init();
    await store.createExecution(
      makeExecution({ id: 'done', status: 'completed', createdAt: 1, completedAt: 2 }),
    );
    expect(await store.purgeFinished({ before: 3, limit: 10 })).toBe(1);
    const versions = await withClient(async (client) =>
      (await client.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY 1`)).rows.map(
        (r) => r.version,
      ),
    );
    expect(versions).toEqual(postgresMigrations().map((m) => m.version));
  });
});

describe('PostgreSQL store whose operator tried to build the retention index beforehand and failed', () => {
  it('replaces the invalid index a failed CREATE INDEX CONCURRENTLY left behind', async () => {
    await assertServerReachable();
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const validity = () =>
      withClient(async (client) =>
        (
          await client.query(
            `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relname = 'executions_finished_completed'`,
            [schema],
          )
        ).rows.map((r) => r.valid),
      );
    await withClient(async (operator) => {
      await migratePostgres(
        operator,
        schema,
        postgresMigrations().filter((m) => m.version <= 5),
      );
      // A write under way when the build starts, and a lock_timeout shorter than it: the build
      // fails after it made the index, which stays, marked invalid (ignored by every query, yet
      // updated by every write; CREATE INDEX IF NOT EXISTS takes it as there).
      await withClient(async (writer) => {
        await writer.query('BEGIN');
        await writer.query(
          `INSERT INTO "${schema}".executions (id, workflow_id, workflow_version, status, created_at, state)
             VALUES ('w', 'wf', 1, 'pending', 1, '{}')`,
        );
        await operator.query("SET lock_timeout = '100ms'");
        await expect(
          operator.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS executions_finished_completed
            ON "${schema}".executions (completed_at) WHERE status IN ('completed', 'failed', 'cancelled')`),
        ).rejects.toThrow(/lock timeout/);
        await writer.query('COMMIT');
      });
    });
    expect(await validity()).toEqual([false]);
    const store = new PostgresStore(PG_URL, { schema, poolSize: 2 });
    cleanups.push(() => store.close());
    await store.init();
    expect(await validity()).toEqual([true]);
  });
});
