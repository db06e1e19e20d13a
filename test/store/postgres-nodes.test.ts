/**
 * PostgreSQL-only behaviour with several stores (nodes) on one schema: concurrent migrations,
 * disjoint claims under contention, fencing across instances, idempotency across instances,
 * durability across close/reopen, and the cluster registry seen from every node.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/errors.js';
import { LOCK_CLASS, loadMigrations, migrate } from '../../src/store/postgres/migrate.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SchemaTooNewError } from '../../src/store/schema-version.js';
import type { ExecutionRecord } from '../../src/store/store.js';
import {
  assertServerReachable,
  dropSchema,
  freshSchema,
  PG_SERIALIZABLE_URL,
  PG_URL,
  storeBegin,
  withClient,
} from './pg-fixture.js';
import { makeExecution, makeStep } from './records.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A fresh schema, dropped after the test. */
function schema(): string {
  const name = freshSchema();
  cleanups.push(() => dropSchema(name));
  return name;
}

/** An initialised store on `name`, closed after the test (before the schema is dropped). */
async function open(name: string, poolSize = 4): Promise<PostgresStore> {
  const store = new PostgresStore(PG_URL, { schema: name, poolSize });
  cleanups.push(() => store.close());
  await store.init();
  return store;
}

/** What opening a store on `name` fails with (undefined: it opened); the store is closed after the test. */
async function initError(name: string): Promise<unknown> {
  const store = new PostgresStore(PG_URL, { schema: name });
  cleanups.push(() => store.close());
  return store.init().then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** The names of the tables in schema `name`, sorted. */
async function tablesIn(name: string): Promise<string[]> {
  const tables = await withClient((client) =>
    client.query('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [name]),
  );
  return tables.rows.map((r) => r.tablename);
}

const NOW = 1_000_000;

describe('PostgreSQL store: several nodes on one schema', () => {
  it('applies each migration once when 4 clients migrate at the same time', async () => {
    const name = schema();
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        return client;
      }),
    );
    try {
      const applied = await Promise.all(clients.map((client) => migrate(client, name)));
      const versions = loadMigrations().map((m) => m.version);
      // All pending migrations are one locked transaction: one client applies them all, and the
      // others, once they get the lock, find nothing left to apply.
      expect(applied.filter((list) => list.length > 0)).toEqual([versions]);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    const rows = await withClient((client) =>
      client.query(`SELECT version, name FROM "${name}".schema_migrations ORDER BY version`),
    );
    expect(rows.rows.map((r) => r.name)).toEqual(loadMigrations().map((m) => m.name));
    // Stores opening at once on the same (now current) schema, and on a new one, all succeed.
    const other = schema();
    await Promise.all([open(name), open(name), open(other), open(other), open(other), open(other)]);
    const count = await withClient((client) =>
      client.query(`SELECT count(*)::int AS n FROM "${other}".schema_migrations`),
    );
    expect(count.rows[0].n).toBe(loadMigrations().length);
  });

  it('refuses a schema a newer release migrated, and changes nothing in it', async () => {
    const name = schema();
    await (await open(name)).close();
    await withClient((client) =>
      client.query(`INSERT INTO "${name}".schema_migrations (version, name) VALUES (999, '999_future.sql')`),
    );
    const known = Math.max(...loadMigrations().map((m) => m.version));
    const error = await initError(name);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', storedVersion: 999, knownVersion: known });
    expect((error as Error).message).toContain(`PostgreSQL schema '${name}' has schema version 999`);
    const rows = await withClient((client) =>
      client.query(`SELECT count(*)::int AS n FROM "${name}".schema_migrations`),
    );
    expect(rows.rows[0].n).toBe(loadMigrations().length + 1);
  });

  it("refuses a schema whose schema_migrations table is another tool's, and changes nothing in it", async () => {
    const name = schema();
    // golang-migrate keeps its version in a table of the same name (Rails, Ecto and dbmate too).
    await withClient((client) =>
      client.query(
        `CREATE SCHEMA "${name}"; CREATE TABLE "${name}".schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
         INSERT INTO "${name}".schema_migrations VALUES (20240131120000, false)`,
      ),
    );
    const error = await initError(name);
    expect(error).not.toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toBe(
      `The PostgreSQL schema '${name}' holds a schema_migrations table that is not an Orchestrator ` +
        "store's (columns version, dirty): it belongs to something else, e.g. another tool's " +
        'migrations. Point this Orchestrator at a schema of its own.',
    );
    expect(await tablesIn(name)).toEqual(['schema_migrations']);
  });

  it('a migration that fails names the schema and the migration, and applies nothing of it', async () => {
    const name = schema();
    // A schema of something else that has a table of the same name.
    await withClient((client) =>
      client.query(`CREATE SCHEMA "${name}"; CREATE TABLE "${name}".executions (x int)`),
    );
    const error = await initError(name);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toBe(
      `PostgreSQL migration of schema '${name}' failed (001_init.sql): the schema already has table "executions", a name the store creates, of something else (no store migration records them). Point this Orchestrator at a schema of its own (?schema=).`,
    );
    expect(await tablesIn(name)).toEqual(['executions']);
  });

  it('a later migration that fails leaves nothing of the earlier ones behind in the schema', async () => {
    const name = schema();
    // An application's schema with a table named as the store's second migration's.
    await withClient((client) =>
      client.query(
        `CREATE SCHEMA "${name}"; CREATE TABLE "${name}".nodes (x int); CREATE INDEX nodes_last_heartbeat ON "${name}".nodes (x)`,
      ),
    );
    const error = await initError(name);
    expect((error as Error).message).toBe(
      `PostgreSQL migration of schema '${name}' failed (002_nodes.sql): the schema already has table "nodes", index "nodes_last_heartbeat", names the store creates, of something else (no store migration records them). Point this Orchestrator at a schema of its own (?schema=).`,
    );
    expect(await tablesIn(name)).toEqual(['nodes']);
  });

  it('a schema it had to create for a migration that fails is not left behind', async () => {
    const name = schema();
    const broken = [
      { version: 1, name: '001_broken.sql', sql: 'CREATE TABLE executions (x int); SELECT 1/0' },
    ];
    const error = await withClient((client) => migrate(client, name, broken)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(
      `PostgreSQL migration of schema '${name}' failed (001_broken.sql): division by zero`,
    );
    const found = await withClient((client) =>
      client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name]),
    );
    expect(found.rowCount).toBe(0);
  });

  it("waits for another node's migration whatever lock_timeout and statement_timeout the server sets", async () => {
    const name = schema();
    // Timeouts such as a DBA sets for a role or database, far shorter than the wait below.
    const options = encodeURIComponent('-c lock_timeout=10 -c statement_timeout=10');
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${options}`;
    await withClient(async (holder) => {
      // Another node is migrating this schema: it holds the migration lock.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, name]);
      const store = new PostgresStore(url, { schema: name, poolSize: 2 });
      cleanups.push(() => store.close());
      let outcome: string | null = null;
      const init = store.init().then(
        () => 'opened',
        (error: Error) => `failed: ${error.message}`,
      );
      void init.then((o) => {
        outcome = o;
      });
      // Until the store has waited for the lock five times as long as the timeouts allow.
      for (;;) {
        // Within a transaction, statistics views are read once unless cleared.
        await holder.query('SELECT pg_stat_clear_snapshot()');
        const waiting = await holder.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'
             AND clock_timestamp() - query_start > interval '50 milliseconds'`,
          [`orchestrator-migrate:${name}`],
        );
        if (waiting.rowCount || outcome !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await holder.query('COMMIT');
      expect(await init).toBe('opened');
    });
  });

  it('nodes starting together on a new schema all open whatever default_transaction_isolation the server sets', async () => {
    const name = schema();
    const url = PG_SERIALIZABLE_URL;
    await withClient(async (holder) => {
      // Both nodes wait for the migration lock, then run one after the other.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, name]);
      const stores = [1, 2].map(() => new PostgresStore(url, { schema: name, poolSize: 1 }));
      for (const store of stores) cleanups.push(() => store.close());
      const inits = stores.map((store) =>
        store.init().then(
          () => 'opened',
          (error: Error) => `failed: ${error.message}`,
        ),
      );
      for (;;) {
        await holder.query('SELECT pg_stat_clear_snapshot()');
        const waiting = await holder.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
          [`orchestrator-migrate:${name}`],
        );
        if (waiting.rowCount === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await holder.query('COMMIT');
      expect(await Promise.all(inits)).toEqual(['opened', 'opened']);
    });
    const rows = await withClient((client) =>
      client.query(`SELECT count(*)::int AS n FROM "${name}".schema_migrations`),
    );
    expect(rows.rows[0].n).toBe(loadMigrations().length);
  });

  it('4 stores claiming 500 executions in parallel batches take each exactly once', async () => {
    const name = schema();
    const seeder = await open(name, 2);
    const total = 500;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        seeder.createExecution(makeExecution({ id: `c${String(i).padStart(4, '0')}`, createdAt: i })),
      ),
    );
    const nodes = await Promise.all(Array.from({ length: 4 }, () => open(name)));
    const claimedBy = await Promise.all(
      nodes.map(async (node, n) => {
        const mine: ExecutionRecord[] = [];
        for (;;) {
          // Two claims in flight per node: they contend with each other as well as with the others.
          const batches = await Promise.all(
            [0, 1].map(() =>
              node.claimExecutions({ owner: `node-${n}`, leaseUntil: NOW + 60_000, now: NOW, limit: 25 }),
            ),
          );
          const got = batches.flat();
          if (got.length === 0) return mine;
          mine.push(...got);
        }
      }),
    );
    const all = claimedBy.flat();
    expect(all).toHaveLength(total);
    expect(new Set(all.map((r) => r.id)).size).toBe(total);
    for (const record of all) expect(record.epoch).toBe(1);
    // Contention really happened: more than one node got work.
    expect(claimedBy.filter((list) => list.length > 0).length).toBeGreaterThan(1);
    for (const [n, list] of claimedBy.entries()) {
      for (const record of list) expect(record.owner).toBe(`node-${n}`);
    }
    expect(await seeder.countExecutions({})).toBe(total);
    expect((await seeder.listOwners()).length).toBe(claimedBy.filter((list) => list.length > 0).length);
  });

  it("refuses a node's stale-epoch write after another node claimed the execution", async () => {
    const name = schema();
    const a = await open(name);
    const b = await open(name);
    await a.createExecution(makeExecution({ id: 'x', status: 'running' }));
    const [mine] = await a.claimExecutions({ owner: 'a', leaseUntil: NOW + 100, now: NOW, limit: 1 });
    expect(mine!.epoch).toBe(1);
    await a.update({ id: 'x', epoch: 1, set: { cursor: 1 }, steps: [makeStep('x', 's1')] });
    // a's lease runs out; b takes over.
    const [theirs] = await b.claimExecutions({
      owner: 'b',
      leaseUntil: NOW + 10_000,
      now: NOW + 101,
      limit: 1,
    });
    expect(theirs).toMatchObject({ id: 'x', owner: 'b', epoch: 2, cursor: 1 });
    // The zombie's write (same tick as a legitimate one of b) is refused alone.
    const results = await Promise.allSettled([
      a.update({
        id: 'x',
        epoch: 1,
        set: { cursor: 99, status: 'failed' },
        steps: [makeStep('x', 'zombie')],
      }),
      b.update({ id: 'x', epoch: 2, set: { cursor: 2 }, steps: [makeStep('x', 's2')] }),
    ]);
    expect(results[0].status).toBe('rejected');
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
    expect(results[1].status).toBe('fulfilled');
    const snapshot = (await a.getExecution('x'))!;
    expect(snapshot.execution).toMatchObject({ cursor: 2, status: 'running', owner: 'b', epoch: 2 });
    expect(snapshot.steps.map((s) => s.name)).toEqual(['s1', 's2']);
    // a's renewals no longer reach it either.
    expect(await a.renewLeases('a', NOW + 50_000)).toEqual([]);
  });

  it('a stalled node holding a transaction loses its session, so its rows can be taken over', async () => {
    const name = schema();
    const stalled = new PostgresStore(PG_URL, { schema: name, poolSize: 2, idleInTransactionTimeoutMs: 300 });
    cleanups.push(() => stalled.close());
    await stalled.init();
    const other = await open(name);
    await stalled.createExecution(
      makeExecution({ id: 'held', status: 'running', owner: 'a', leaseUntil: NOW }),
    );
    // The stalled node stopped in the middle of a flush: its transaction holds the row's lock.
    const pool = (stalled as unknown as { pool: pg.Pool }).pool;
    const client = await pool.connect();
    // The server's FATAL, then the socket closing: both end up here.
    const lost = new Promise<unknown>((resolve) => client.on('error', resolve));
    await client.query(storeBegin(stalled));
    expect((await client.query('SHOW idle_in_transaction_session_timeout')).rows[0]).toEqual({
      idle_in_transaction_session_timeout: '300ms',
    });
    await client.query(`UPDATE "${name}".executions SET epoch = epoch WHERE id = 'held'`);
    const started = Date.now();
    const claim = () =>
      other.claimExecutions({ owner: 'b', leaseUntil: NOW + 10_000, now: NOW + 1, limit: 5 });
    // SKIP LOCKED passes over the locked row while the session lives...
    expect(await claim()).toEqual([]);
    // ...and the server ends that session after the idle timeout, releasing the lock.
    let taken: ExecutionRecord[] = [];
    while (taken.length === 0 && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
      taken = await claim();
    }
    expect(taken.map((r) => [r.id, r.owner, r.epoch])).toEqual([['held', 'b', 1]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await lost;
    client.release(true);
    expect(() => new PostgresStore(PG_URL, { idleInTransactionTimeoutMs: -1 })).toThrow(
      /non-negative integer/,
    );
  });

  it('creates with one idempotency key on two stores at once make one execution', async () => {
    const name = schema();
    const a = await open(name);
    const b = await open(name);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).createExecution(makeExecution({ id: `k${i}`, idempotencyKey: 'same' })),
      ),
    );
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    expect(new Set(results.map((r) => r.id))).toEqual(new Set([created[0]!.id]));
    expect(await a.countExecutions({})).toBe(1);
  });

  it('keeps everything across close and reopen', async () => {
    const name = schema();
    const first = new PostgresStore(PG_URL, { schema: name });
    await first.init();
    await first.saveDefinition({ id: 'wf', version: 1, steps: [{ name: 'a' }], options: {}, createdAt: 1 });
    await first.createExecution(makeExecution({ id: 'keep', input: { deep: [1, { x: 'é' }] } }), [
      makeStep('keep', 'a'),
    ]);
    await first.update({
      id: 'keep',
      epoch: 0,
      set: { status: 'running', cursor: 1 },
      steps: [makeStep('keep', 'b')],
    });
    const [claimed] = await first.claimExecutions({ owner: 'n1', leaseUntil: NOW, now: NOW - 1, limit: 5 });
    const before = (await first.getExecution('keep'))!;
    await first.close();
    await expect(first.getExecution('keep')).rejects.toMatchObject({ code: 'CLOSED' });

    const second = await open(name);
    expect(await second.getExecution('keep')).toEqual(before);
    expect(before.execution).toMatchObject({ owner: 'n1', epoch: claimed!.epoch, status: 'running' });
    expect(await second.listDefinitions()).toEqual([
      { id: 'wf', version: 1, steps: [{ name: 'a' }], options: {}, createdAt: 1 },
    ]);
  });

  it('a heartbeat is visible to every node once it resolves, and survives close and reopen', async () => {
    const name = schema();
    const a = new PostgresStore(PG_URL, { schema: name, poolSize: 2 });
    await a.init();
    const b = await open(name);
    const node = (id: string, lastHeartbeat: number) => ({
      id,
      startedAt: 10,
      lastHeartbeat,
      running: 2,
      queued: 1,
      capacity: 100,
      info: { host: 'h', nul: 'a\u0000b', deep: { list: [1, 'x'] } },
    });
    await a.heartbeat(node('a', 100));
    expect(await b.listNodes()).toEqual([node('a', 100)]);
    await Promise.all([b.heartbeat(node('b', 150)), a.heartbeat(node('a', 200)), a.removeNode('gone')]);
    expect(await a.listNodes(150)).toEqual([node('a', 200), node('b', 150)]);
    await a.close();
    const again = await open(name);
    expect(await again.listNodes()).toEqual([node('a', 200), node('b', 150)]);
    await b.removeNode('a');
    expect((await again.listNodes()).map((n) => n.id)).toEqual(['b']);
    const table = await withClient((client) =>
      client.query(
        `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'nodes' ORDER BY indexname`,
        [name],
      ),
    );
    expect(table.rows.map((r) => r.indexname)).toEqual(['nodes_last_heartbeat', 'nodes_pkey']);
  });

  it("renews a node's leases without waiting on a row another session holds locked", async () => {
    const name = schema();
    const store = await open(name);
    const locked = makeExecution({ status: 'running', owner: 'node-a', leaseUntil: NOW, epoch: 1 });
    const free = makeExecution({ status: 'running', owner: 'node-a', leaseUntil: NOW, epoch: 1 });
    await store.createExecution(locked);
    await store.createExecution(free);
    // An admin's open transaction (or another node's slow write) holds one row locked.
    const blocker = new pg.Client({ connectionString: PG_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${name}".executions WHERE id = $1 FOR UPDATE`, [locked.id]);
      // The renewal skips the locked row (renewed at a later round) instead of stalling the node's
      // write lane — and every other write of the node behind it — until the lock goes.
      const timer = new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 3_000).unref());
      const renewed = await Promise.race([store.renewLeases('node-a', NOW + 60_000), timer]);
      expect(renewed).toEqual([free.id]);
      expect((await store.getExecution(free.id))?.execution.leaseUntil).toBe(NOW + 60_000);
      await blocker.query('COMMIT');
      expect((await store.renewLeases('node-a', NOW + 90_000)).sort()).toEqual([free.id, locked.id].sort());
      expect((await store.getExecution(locked.id))?.execution.leaseUntil).toBe(NOW + 90_000);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
  });

  it('loadByOwner and listOwned see the claims of every node', async () => {
    const name = schema();
    const a = await open(name);
    const b = await open(name);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        a.createExecution(makeExecution({ id: `o${i}`, createdAt: i, status: 'running' })),
      ),
    );
    await a.claimExecutions({ owner: 'a', leaseUntil: NOW + 60_000, now: NOW, limit: 4 });
    await b.claimExecutions({ owner: 'b', leaseUntil: NOW + 60_000, now: NOW, limit: 3 });
    expect(await b.loadByOwner()).toEqual({ a: 4, b: 3 });
    expect(await b.listOwned('a', 10)).toEqual(['o0', 'o1', 'o2', 'o3']);
    expect(await a.listOwned('b', 2)).toEqual(['o4', 'o5']);
  });
});
