/**
 * An SQLite file the store refuses to open (another tool's `schema_migrations`, a schema a newer
 * release migrated) is left as it was, byte for byte: the store does not switch it to WAL, a
 * change that outlives the connection, before it finds out the file is not one it may use. A file
 * holding tables or indexes of the names the store creates, of something else, is refused so too,
 * naming each (it failed the migration with SQLite's bare "table executions already exists").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaTooNewError } from '../../src/store/schema-version.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { refuseTakenNamesOfPending } from '../../src/store/sqlite/taken-names.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

/** A file in the default (rollback journal) mode holding `sql`, as another program would make it. */
function fileOf(sql: string): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  const path = join(dir, 'other.sqlite');
  const db = new Database(path);
  db.exec(sql);
  db.close();
  return path;
}

/** What opening a store on `path` fails with. */
function initError(path: string): Promise<unknown> {
  return new SqliteStore(path).init().then(
    () => undefined,
    (e: unknown) => e,
  );
}

function journalMode(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('journal_mode', { simple: true });
  } finally {
    db.close();
  }
}

describe('SQLite store: a file it refuses is left as it was', () => {
  it.each([
    [
      "another tool's schema_migrations",
      "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240131120000')",
      'not an Orchestrator store',
    ],
    [
      'a schema a newer release migrated',
      `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
       INSERT INTO schema_migrations VALUES (999, '999_future.sql', 0)`,
      'schema version 999, newer than this Orchestrator knows',
    ],
    [
      'tables and an index of the names the store creates, of something else',
      'CREATE TABLE executions (x INTEGER); INSERT INTO executions VALUES (1); CREATE INDEX Executions_Status ON executions (x); CREATE VIEW steps AS SELECT 1',
      "the file already has table 'executions', index 'Executions_Status', view 'steps', names the store creates, of something else",
    ],
  ])('%s: refused, the file unchanged byte for byte, no -wal or -shm left', async (_, sql, says) => {
    const path = fileOf(sql);
    const before = readFileSync(path);
    const error = await initError(path);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toContain(says);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect([existsSync(`${path}-wal`), existsSync(`${path}-shm`)]).toEqual([false, false]);
    expect(journalMode(path)).toBe('delete');
  });

  it('a newer schema is still refused as one (SchemaTooNewError)', async () => {
    const path = fileOf(
      `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
       INSERT INTO schema_migrations VALUES (999, '999_future.sql', 0)`,
    );
    expect(await initError(path)).toBeInstanceOf(SchemaTooNewError);
  });

  it('names the file and the migration, and no trigger of a name the store uses', async () => {
    const path = fileOf(
      'CREATE TABLE other (x INTEGER); CREATE TABLE nodes (y INTEGER); CREATE TRIGGER executions AFTER INSERT ON other BEGIN SELECT 1; END',
    );
    const error = await initError(path);
    expect((error as Error).message).toBe(
      `Cannot migrate SQLite store '${path}' (002_nodes.sql): the file already has table 'nodes', a name the store creates, of something else (no store migration records them). Point this Orchestrator at a file of its own.`,
    );
    expect(journalMode(path)).toBe('delete');
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});

describe('refuseTakenNamesOfPending', () => {
  const migrations = [
    { version: 1, name: '001_x.sql', sql: 'CREATE TABLE t (a); CREATE TABLE IF NOT EXISTS u (b)' },
  ];

  it("lets through the store's own tables, those of a migration recorded", () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (a); CREATE TABLE u (b)');
    expect(() => refuseTakenNamesOfPending(db, migrations, new Set([1]))).not.toThrow();
    expect(() => refuseTakenNamesOfPending(db, migrations, null)).toThrow(
      /already has table 't', a name the store creates/,
    );
    db.close();
  });

  it('takes a name created only IF NOT EXISTS as free', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE u (b)');
    expect(() => refuseTakenNamesOfPending(db, migrations, null)).not.toThrow();
    db.close();
  });
});
