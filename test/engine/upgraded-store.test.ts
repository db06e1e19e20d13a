/**
 * An orchestrator of this release started on a store an older release left behind (only its first
 * migrations applied) with executions in it: a finished one, one running with its first step done,
 * one still pending. The start migrates the store, the executions read back, the running one
 * resumes from its stored position and completes, the pending one runs, and the listings and the
 * metrics count all three. The older store's rows are copied from a store this release wrote
 * (the data tables have not changed shape since migration 1), into the older tables.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionHandler, Orchestrator } from '../../src/index.js';
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
import type { Store } from '../../src/store/store.js';
import { gate, tempDir, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from '../store/pg-fixture.js';

const DATA_TABLES = ['definitions', 'executions', 'execution_inputs', 'steps'];

const drops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const drop of drops.splice(0)) await drop();
});

interface Ids {
  done: string;
  running: string;
  pending: string;
}

/**
 * Fills `store` through an orchestrator of this release and closes it: `done` completed, `running`
 * stopped in step b (a done), `pending` never started (one execution at a time).
 */
async function fillAndStop(store: Store): Promise<Ids> {
  const inB = gate();
  const first = await withOrchestrator({
    store,
    maxConcurrentWorkflows: 1,
    actions: {
      a: (input) => ({ a: input }),
      b: (input, ctx) => {
        if (!(input as { hold?: boolean }).hold) return 'b';
        inB.open();
        return untilAborted(ctx.signal);
      },
      c: () => 'c',
    },
  });
  await first.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  const done = await first.workflowEngine.executeWorkflow('w', { n: 1 });
  expect((await first.workflowEngine.waitForCompletion(done, { timeout: 10 })).status).toBe('completed');
  const running = await first.workflowEngine.executeWorkflow('w', { n: 2, hold: true });
  await inB.promise;
  const pending = await first.workflowEngine.executeWorkflow('w', { n: 3 });
  await first.close();
  return { done, running, pending };
}

/** Starts this release on the older store and checks what it reads and does. */
async function resumeOnUpgraded(store: Store, ids: Ids): Promise<Orchestrator> {
  const calls: string[] = [];
  const record =
    (step: string): ActionHandler =>
    (input) => {
      calls.push(`${step}:${(input as { n: number }).n}`);
      return step;
    };
  const orch = await withOrchestrator({
    store,
    actions: { a: record('a'), b: record('b'), c: record('c') },
  });
  const engine = orch.workflowEngine;
  const running = await engine.waitForCompletion(ids.running, { timeout: 10 });
  expect(running.status).toBe('completed');
  // Step a, done before the stop, is not run again; its stored output is kept.
  expect(running.outputData).toEqual({ a: { a: { n: 2, hold: true } }, b: 'b', c: 'c' });
  expect((await engine.waitForCompletion(ids.pending, { timeout: 10 })).status).toBe('completed');
  expect(calls.filter((c) => c.endsWith(':2'))).toEqual(['b:2', 'c:2']);
  expect(calls.filter((c) => c.endsWith(':3'))).toEqual(['a:3', 'b:3', 'c:3']);
  const finished = await engine.getExecutionStatus(ids.done);
  expect(finished).toMatchObject({
    status: 'completed',
    inputData: { n: 1 },
    stepsCompleted: 3,
    outputData: { a: { a: { n: 1 } }, b: 'b', c: 'c' },
  });
  expect((await engine.listExecutions()).map((s) => s.id).sort()).toEqual(
    [ids.done, ids.running, ids.pending].sort(),
  );
  expect(await engine.countExecutions({ status: 'completed' })).toBe(3);
  expect(orch.getMetrics().executions).toMatchObject({ total: 3, completed: 3, running: 0, pending: 0 });
  expect(orch.getMetrics('w').executions.completed).toBe(3);
  return orch;
}

describe('an orchestrator started on an SQLite file an older release left behind', () => {
  it.each(
    sqliteMigrations()
      .slice(0, -1)
      .map((_, i) => i + 1),
  )('with migrations up to %i: migrates it and resumes its executions', async (k) => {
    const dir = tempDir();
    const source = join(dir, 'source.sqlite');
    const ids = await fillAndStop(new SqliteStore(source));
    const path = join(dir, 'old.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    migrateSqlite(db, sqliteMigrations().slice(0, k));
    db.exec(`ATTACH '${source}' AS source`);
    for (const table of DATA_TABLES) db.exec(`INSERT INTO ${table} SELECT * FROM source.${table}`);
    db.exec('DETACH source');
    const states = db.prepare('SELECT id, status FROM executions').all() as { id: string; status: string }[];
    expect(Object.fromEntries(states.map((r) => [r.id, r.status]))).toEqual({
      [ids.done]: 'completed',
      [ids.running]: 'running',
      [ids.pending]: 'pending',
    });
    db.close();
    await resumeOnUpgraded(new SqliteStore(path), ids);
    const after = new Database(path, { readonly: true });
    const versions = after.prepare('SELECT version FROM schema_migrations ORDER BY 1').pluck().all();
    after.close();
    expect(versions).toEqual(sqliteMigrations().map((m) => m.version));
  });
});

describe('an orchestrator started on a PostgreSQL schema an older release left behind', () => {
  it.each(
    postgresMigrations()
      .slice(0, -1)
      .map((_, i) => i + 1),
  )('with migrations up to %i: migrates it and resumes its executions', async (k) => {
    await assertServerReachable();
    const [fresh, old] = [freshSchema(), freshSchema()];
    drops.push(
      () => dropSchema(fresh),
      () => dropSchema(old),
    );
    const ids = await fillAndStop(new PostgresStore(PG_URL, { schema: fresh, poolSize: 2 }));
    await withClient(async (client) => {
      await migratePostgres(client, old, postgresMigrations().slice(0, k));
      for (const table of DATA_TABLES) {
        await client.query(`INSERT INTO "${old}".${table} SELECT * FROM "${fresh}".${table}`);
      }
    });
    const orch = await resumeOnUpgraded(new PostgresStore(PG_URL, { schema: old, poolSize: 2 }), ids);
    await orch.close();
    const versions = await withClient(async (client) =>
      (await client.query(`SELECT version FROM "${old}".schema_migrations ORDER BY 1`)).rows.map(
        (r) => r.version,
      ),
    );
    expect(versions).toEqual(postgresMigrations().map((m) => m.version));
  });
});
