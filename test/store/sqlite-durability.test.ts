/**
 * SQLite-only behaviour: settings, files, migrations, several connections and processes on one
 * file, crash durability of acknowledged writes, group commit and failure isolation.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseLostError, OrchestratorError, ValidationError } from '../../src/errors.js';
import { SchemaTooNewError } from '../../src/store/schema-version.js';
import { sqliteHint, sqliteStoreError } from '../../src/store/sqlite/errors.js';
import { loadMigrations, migrate } from '../../src/store/sqlite/migrate.js';
import { SqliteStore, WAL_SIZE_LIMIT } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution, makeStep } from './records.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A new file path in a temp dir removed after the test. */
function newPath(name = 'store.sqlite'): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return join(dir, name);
}

async function open(
  path: string,
  options?: ConstructorParameters<typeof SqliteStore>[1],
): Promise<SqliteStore> {
  const store = new SqliteStore(path, options);
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

function raw(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  cleanups.push(() => {
    db.close();
  });
  return db;
}

/**
 * For the tests that run child processes: each starts Node and compiles the store under tsx, which
 * took 5–9 s per child on a loaded 2-core machine, and four at once outlasted the default 30 s.
 */
const CHILD_RUN = { timeout: 120_000 };

/** Runs the child fixture; resolves with its stdout and exit signal. */
function child(
  ...args: string[]
): Promise<{ stdout: string; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/store/fixtures/sqlite-child.ts', ...args],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ stdout, signal, code }));
  });
}

describe('SQLite store: files and settings', () => {
  it('uses WAL and synchronous=FULL by default, NORMAL on request', async () => {
    expect((await open(newPath())).settings()).toEqual({
      journalMode: 'wal',
      synchronous: 'FULL',
      foreignKeys: true,
      busyTimeoutMs: 5000,
      fullFsync: true,
    });
    expect((await open(newPath(), { synchronous: 'NORMAL' })).settings().synchronous).toBe('NORMAL');
  });

  // A 32 MiB commit (synchronous=FULL) took 9 s on a loaded machine, and over the default 30 s when
  // other processes also wrote to the disk.
  it('shrinks the WAL file back after a large write, instead of keeping its largest size for good', {
    timeout: 120_000,
  }, async () => {
    const path = newPath();
    const store = await open(path);
    await store.createExecution(makeExecution({ id: 'big', input: { text: 'x'.repeat(32 * 1024 * 1024) } }));
    // The large commit was checkpointed; the next write starts the WAL over, truncating it.
    await store.createExecution(makeExecution({ id: 'small' }));
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(WAL_SIZE_LIMIT);
  });

  it('creates the parent directory of the file', async () => {
    const path = join(newPath(), '..', 'nested', 'deeper', 'store.sqlite');
    await open(path);
    expect(existsSync(path)).toBe(true);
  });

  it('refuses a path that is a directory, saying so', async () => {
    const dir = join(newPath(), '..');
    const path = resolve(dir);
    const error = await new SqliteStore(path).init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: `Cannot open SQLite store '${path}': it is a directory; name a database file, e.g. '${join(path, 'orchestrator.sqlite')}'`,
    });
  });

  it('refuses a path under a file, naming the file in the way', async () => {
    // Node.js said only "ENOTDIR: not a directory, stat '<path>'", naming neither.
    const file = newPath();
    raw(file).close();
    for (const path of [join(file, 'x.db'), join(file, 'sub', 'deeper', 'x.db')]) {
      const error = await new SqliteStore(path).init().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: `Cannot open SQLite store '${path}': its folder '${file}' is a file, not a folder; name a database file in a folder`,
      });
    }
  });

  it('keeps executions, steps and definitions across close and reopen', async () => {
    const path = newPath();
    const first = await open(path);
    await first.saveDefinition({ id: 'wf', version: 1, steps: [{ name: 'a' }], options: {}, createdAt: 1 });
    await first.createExecution(makeExecution({ id: 'e', input: undefined }), [makeStep('e', 'a')]);
    await first.update({
      id: 'e',
      epoch: 0,
      set: { status: 'running', cursor: 1 },
      steps: [makeStep('e', 'b')],
    });
    await first.close();
    const second = await open(path);
    const snapshot = (await second.getExecution('e'))!;
    expect(snapshot.execution).toMatchObject({ status: 'running', cursor: 1, input: null });
    expect(snapshot.steps.map((s) => s.name)).toEqual(['a', 'b']);
    expect(await second.listDefinitions()).toHaveLength(1);
  });

  it('runs each migration once and records it', async () => {
    const path = newPath();
    await (await open(path)).close();
    await (await open(path)).close();
    const db = raw(path);
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(loadMigrations().map(({ version, name }) => ({ version, name })));
    expect(rows[0]).toEqual({ version: 1, name: '001_init.sql' });
    expect(migrate(db)).toEqual([]);
  });

  it('refuses a file a newer release migrated, and leaves it as it was', async () => {
    const path = newPath();
    await (await open(path)).close();
    const db = raw(path);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future.sql', 0)",
    ).run();
    const before = db.prepare('SELECT count(*) FROM schema_migrations').pluck().get();
    const known = Math.max(...loadMigrations().map((m) => m.version));
    const store = new SqliteStore(path);
    const error = await store.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', storedVersion: 999, knownVersion: known });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(
      `schema version 999, newer than this Orchestrator knows (${known})`,
    );
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(before);
    // The bare migrate call refuses too, inside its write transaction as before it.
    expect(() => migrate(db)).toThrow(SchemaTooNewError);
    expect(db.inTransaction).toBe(false);
  });

  it("refuses a file whose schema_migrations table is another tool's, and leaves it as it was", async () => {
    const path = newPath();
    // Rails (and dbmate) keep their migrations in a table of the same name, versions as timestamps.
    raw(path).exec(
      "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240131120000')",
    );
    const error = await new SqliteStore(path).init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toBe(
      `The SQLite database '${path}' holds a schema_migrations table that is not an Orchestrator store's ` +
        "(columns version): it belongs to something else, e.g. another tool's migrations. Point this " +
        'Orchestrator at a file of its own.',
    );
    const tables = raw(path).prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(['schema_migrations']);
  });

  it('a migration that fails names the file, the migration and the cause, and applies nothing', () => {
    const path = newPath();
    const db = raw(path);
    // Its first statement runs, its second fails: neither it nor the migration before it stays.
    const migrations = [
      ...loadMigrations().slice(0, 1),
      {
        version: 2,
        name: '002_bad.sql',
        sql: 'CREATE TABLE extra (x INTEGER); INSERT INTO missing VALUES (1);',
      },
    ];
    let error: unknown;
    try {
      migrate(db, migrations);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OrchestratorError);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toBe(
      `Cannot migrate SQLite store '${path}' (002_bad.sql): no such table: missing`,
    );
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual([]);
  });

  it('a file that needs a migration but cannot be written says so, naming the file', async () => {
    const path = newPath();
    const db = raw(path);
    migrate(db, loadMigrations().slice(0, 1));
    const readOnly = new Database(path, { readonly: true });
    cleanups.push(() => {
      readOnly.close();
    });
    expect(() => migrate(readOnly)).toThrow(
      `Cannot migrate SQLite store '${path}' (002_nodes.sql): attempt to write a readonly database (SQLITE_READONLY: this process cannot write`,
    );
    // Nothing half-applied: the next open that can write finishes the migration.
    await (await open(path)).close();
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(loadMigrations().map((m) => m.version));
  });

  it('migrates safely when several processes open a new file at once', CHILD_RUN, async () => {
    const path = newPath();
    const results = await Promise.all([1, 2, 3, 4].map(() => child('open', path)));
    expect(results.map((r) => r.stdout.trim())).toEqual(['opened', 'opened', 'opened', 'opened']);
    const count = raw(path).prepare('SELECT count(*) FROM schema_migrations').pluck().get();
    expect(count).toBe(loadMigrations().length);
  });
});

describe('SQLite store: several connections on one file', () => {
  it('two stores on one file both read and write, and fence each other', async () => {
    const path = newPath();
    const a = await open(path);
    const b = await open(path);
    await a.createExecution(makeExecution({ id: 'x', status: 'running', owner: 'a', leaseUntil: 10 }));
    expect((await b.getExecution('x'))?.execution.owner).toBe('a');
    const [claimed] = await b.claimExecutions({ owner: 'b', leaseUntil: 1e12, now: 100, limit: 5 });
    expect(claimed).toMatchObject({ id: 'x', owner: 'b', epoch: 1 });
    await expect(a.update({ id: 'x', epoch: 0, set: { cursor: 5 } })).rejects.toBeInstanceOf(LeaseLostError);
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).createExecution(makeExecution({ id }))));
    await Promise.all(ids.map((id, i) => (i % 2 ? b : a).update({ id, epoch: 0, set: { cursor: i } })));
    for (const [i, id] of ids.entries()) expect((await a.getExecution(id))?.execution.cursor).toBe(i);
  });

  it('a write is visible to another connection when its promise resolves', async () => {
    const path = newPath();
    const store = await open(path);
    const other = raw(path);
    await store.createExecution(makeExecution({ id: 'v' }));
    const seen = await store
      .update({ id: 'v', epoch: 0, steps: [makeStep('v', 'done')] })
      .then(() => other.prepare("SELECT count(*) FROM steps WHERE execution_id = 'v'").pluck().get());
    expect(seen).toBe(1);
  });

  it('every acknowledged write survives a SIGKILL of the writing process', CHILD_RUN, async () => {
    const path = newPath();
    const result = await child('crash', path, 'k', '5');
    expect(result.signal).toBe('SIGKILL');
    const acked = result.stdout.trim().split('\n').length;
    expect(acked).toBe(5);
    const store = await open(path);
    const snapshot = (await store.getExecution('k'))!;
    expect(snapshot.execution.cursor).toBe(acked);
    expect(snapshot.steps.map((s) => s.name)).toEqual(['s1', 's2', 's3', 's4', 's5']);
  });
});

describe('SQLite store: group commit', () => {
  it('commits 100 concurrent updates in one transaction', async () => {
    const store = await open(newPath());
    const ids = Array.from({ length: 100 }, (_, i) => `g${i}`);
    await Promise.all(ids.map((id) => store.createExecution(makeExecution({ id }))));
    const before = store.commitStats.flushes;
    await Promise.all(ids.map((id) => store.update({ id, epoch: 0, set: { cursor: 1 } })));
    expect(store.commitStats.flushes - before).toBe(1);
    const loops = ids.map(async (id) => {
      for (let i = 2; i <= 4; i++) await store.update({ id, epoch: 0, set: { cursor: i } });
    });
    const start = store.commitStats.flushes;
    await Promise.all(loops);
    expect(store.commitStats.flushes - start).toBe(3);
  });

  it('a value JSON cannot encode fails only its own write, naming where it is', async () => {
    const store = await open(newPath());
    await store.createExecution(makeExecution({ id: 'j' }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const results = await Promise.allSettled([
      store.update({ id: 'j', epoch: 0, steps: [makeStep('j', 'fetch', { output: { n: 10n } })] }),
      store.update({ id: 'j', epoch: 0, set: { cursor: 1 } }),
      store.update({ id: 'j', epoch: 0, set: { lastStep: 'x', outcome: cyclic as never } }),
      store.createExecution(makeExecution({ id: 'k', input: cyclic })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'rejected']);
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as ValidationError) : null));
    expect(reasons[0]).toBeInstanceOf(ValidationError);
    expect(reasons[0]?.issues[0]?.path).toBe('steps.fetch');
    expect(reasons[0]?.message).toMatch(/BigInt/);
    expect(reasons[2]?.issues[0]?.path).toBe('outcome');
    expect(reasons[3]?.issues[0]?.path).toBe('input');
    const snapshot = (await store.getExecution('j'))!;
    expect(snapshot.execution).toMatchObject({ cursor: 1, lastStep: null });
    expect(snapshot.steps).toEqual([]);
    expect(await store.getExecution('k')).toBeNull();
  });

  it('an operation that fails in SQL is undone alone; the rest of the batch commits', async () => {
    const path = newPath();
    const store = await open(path);
    raw(path).exec(
      "CREATE TRIGGER bad_step BEFORE INSERT ON steps WHEN NEW.name = 'bad' BEGIN SELECT RAISE(ABORT, 'bad step'); END",
    );
    await Promise.all(['a', 'b'].map((id) => store.createExecution(makeExecution({ id }))));
    const results = await Promise.allSettled([
      store.update({
        id: 'a',
        epoch: 0,
        set: { cursor: 5 },
        steps: [makeStep('a', 'good'), makeStep('a', 'bad')],
      }),
      store.update({ id: 'b', epoch: 0, set: { cursor: 6 }, steps: [makeStep('b', 'good')] }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    const a = (await store.getExecution('a'))!;
    expect([a.execution.cursor, a.steps]).toEqual([0, []]);
    expect((await store.getExecution('b'))!.execution.cursor).toBe(6);
  });

  it('when the transaction fails, every write in it is rejected and none is applied', async () => {
    const path = newPath();
    const store = await open(path);
    raw(path).exec(
      "CREATE TRIGGER doom BEFORE UPDATE ON executions WHEN NEW.steps_run = 666 BEGIN SELECT RAISE(ROLLBACK, 'doomed'); END",
    );
    await Promise.all(['a', 'b', 'c'].map((id) => store.createExecution(makeExecution({ id }))));
    const results = await Promise.allSettled([
      store.update({ id: 'a', epoch: 0, set: { cursor: 1 } }),
      store.update({ id: 'b', epoch: 0, set: { cursor: 2, stepsRun: 666 } }),
      store.createExecution(makeExecution({ id: 'd' })),
      store.update({ id: 'c', epoch: 0, set: { cursor: 3 } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/doomed/);
    for (const id of ['a', 'b', 'c']) expect((await store.getExecution(id))!.execution.cursor).toBe(0);
    expect(await store.getExecution('d')).toBeNull();
    await store.update({ id: 'a', epoch: 0, set: { cursor: 2 } });
    expect((await store.getExecution('a'))!.execution.cursor).toBe(2);
  });
});

describe("SQLite store: SQLite's own errors", () => {
  it('a failed write or read is STORE_UNAVAILABLE naming the file, the driver error kept as cause', async () => {
    const path = newPath();
    const store = await open(path);
    await store.createExecution(makeExecution({ id: 'a' }));
    const db = raw(path);
    db.exec(
      "CREATE TRIGGER doom BEFORE UPDATE ON executions WHEN NEW.steps_run = 666 BEGIN SELECT RAISE(ROLLBACK, 'doomed'); END",
    );
    db.exec(
      "CREATE TRIGGER bad_step BEFORE INSERT ON steps WHEN NEW.name = 'bad' BEGIN SELECT RAISE(ABORT, 'bad step'); END",
    );
    const failures: PromiseSettledResult<unknown>[] = await Promise.allSettled([
      // The whole transaction fails...
      store.update({ id: 'a', epoch: 0, set: { stepsRun: 666 } }),
    ]);
    // ... or one operation of it.
    failures.push(
      ...(await Promise.allSettled([store.update({ id: 'a', epoch: 0, steps: [makeStep('a', 'bad')] })])),
    );
    // A read: the table is gone.
    db.exec('ALTER TABLE nodes RENAME TO nodes_gone');
    failures.push(...(await Promise.allSettled([store.listNodes()])));
    for (const [i, failure] of failures.entries()) {
      expect(failure.status, `failure ${i}`).toBe('rejected');
      const error = (failure as PromiseRejectedResult).reason;
      expect(error, `failure ${i}`).toBeInstanceOf(OrchestratorError);
      expect(error.code).toBe('STORE_UNAVAILABLE');
      expect(error.message).toContain(`SQLite store '${path}'`);
      expect(error.cause).toBeInstanceOf(Database.SqliteError);
    }
    expect(failures.map((f) => String((f as PromiseRejectedResult).reason.message))).toEqual([
      expect.stringMatching(/doomed/),
      expect.stringMatching(/bad step/),
      expect.stringMatching(/no such table/),
    ]);
  });

  it('says what a busy, read-only or full database usually means', () => {
    const busy = sqliteStoreError(new Database.SqliteError('database is locked', 'SQLITE_BUSY'), '/d/s.db');
    expect(busy.message).toBe(
      "SQLite store '/d/s.db': database is locked (SQLITE_BUSY: another process held the write lock on the file past the 5 s busy timeout)",
    );
    expect(sqliteHint(new Database.SqliteError('x', 'SQLITE_READONLY_DIRECTORY'))).toMatch(
      /SQLITE_READONLY_DIRECTORY: this process cannot write to the file or to its directory/,
    );
    expect(sqliteHint(new Database.SqliteError('x', 'SQLITE_FULL'))).toMatch(/the disk is full/);
    expect(sqliteHint(new Database.SqliteError('x', 'SQLITE_CONSTRAINT_CHECK'))).toBe('');
    expect(sqliteHint(new Error('no code'))).toBe('');
  });
});

describe('SQLite store: cluster nodes', () => {
  const node = (id: string, lastHeartbeat: number) => ({
    id,
    startedAt: 10,
    lastHeartbeat,
    running: 1,
    queued: 2,
    capacity: 3,
    info: { host: 'h', pid: 7 },
  });

  it('creates the nodes table and its heartbeat index', async () => {
    const path = newPath();
    await (await open(path)).close();
    const names = raw(path)
      .prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'nodes' ORDER BY name")
      .pluck()
      .all();
    expect(names).toEqual(expect.arrayContaining(['nodes', 'nodes_last_heartbeat']));
  });

  it('keeps heartbeats and removals across close and reopen', async () => {
    const path = newPath();
    const first = await open(path);
    await first.heartbeat(node('a', 100));
    await first.heartbeat(node('b', 100));
    await first.heartbeat(node('a', 200));
    await first.removeNode('b');
    await first.close();
    const second = await open(path);
    expect(await second.listNodes()).toEqual([node('a', 200)]);
  });

  it('a heartbeat is visible to another connection when its promise resolves', async () => {
    const path = newPath();
    const store = await open(path);
    const other = raw(path);
    const seen = await store
      .heartbeat(node('v', 5))
      .then(() => other.prepare("SELECT last_heartbeat FROM nodes WHERE id = 'v'").pluck().get());
    expect(seen).toBe(5);
    const gone = await store
      .removeNode('v')
      .then(() => other.prepare("SELECT count(*) FROM nodes WHERE id = 'v'").pluck().get());
    expect(gone).toBe(0);
  });

  it('every acknowledged heartbeat survives a SIGKILL of the writing process', CHILD_RUN, async () => {
    const path = newPath();
    const result = await child('heartbeat', path, 'n', '3');
    expect(result.signal).toBe('SIGKILL');
    const acked = result.stdout.trim().split('\n').length;
    expect(acked).toBe(3);
    const store = await open(path);
    const [row] = await store.listNodes();
    expect(row).toMatchObject({ id: 'n', lastHeartbeat: acked, running: acked, info: { beat: acked } });
  });

  it('heartbeats and removals share the group commit with the other writes of the tick', async () => {
    const store = await open(newPath());
    await store.createExecution(makeExecution({ id: 'x' }));
    const before = store.commitStats.flushes;
    await Promise.all([
      store.heartbeat(node('a', 1)),
      store.update({ id: 'x', epoch: 0, set: { cursor: 1 } }),
      store.heartbeat(node('b', 1)),
      store.removeNode('a'),
    ]);
    expect(store.commitStats.flushes - before).toBe(1);
    expect((await store.listNodes()).map((n) => n.id)).toEqual(['b']);
  });

  it('an info JSON cannot encode fails only its own heartbeat', async () => {
    const store = await open(newPath());
    const results = await Promise.allSettled([
      store.heartbeat({ ...node('bad', 1), info: { n: 10n } }),
      store.heartbeat(node('good', 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    const reason = (results[0] as PromiseRejectedResult).reason as ValidationError;
    expect(reason).toBeInstanceOf(ValidationError);
    expect(reason.issues[0]?.path).toBe('info');
    expect(reason.message).toMatch(/node 'bad'/);
    expect((await store.listNodes()).map((n) => n.id)).toEqual(['good']);
  });
});

describe('SQLite store beside a process that holds the write lock', () => {
  it('opens an up-to-date file, reads, and closes without taking (or waiting for) the lock', async () => {
    const file = newPath('locked.sqlite');
    const first = new SqliteStore(file);
    await first.init();
    await first.createExecution(makeExecution({ id: 'x' }));
    await first.close();
    // Another process writing: it holds the write lock for as long as this test runs.
    const writer = new Database(file);
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare("UPDATE executions SET status = status WHERE id = 'x'").run();
    try {
      const reader = new SqliteStore(file);
      const started = Date.now();
      await reader.init();
      expect((await reader.listExecutions({ limit: 10 })).map((s) => s.execution.id)).toEqual(['x']);
      await reader.close();
      // Waiting for the lock would take the 5 s busy timeout, then fail.
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });
});
