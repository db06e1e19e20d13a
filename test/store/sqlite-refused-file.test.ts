/**
 * An SQLite file the store refuses to open (another tool's `schema_migrations`, a schema a newer
 * release migrated) is left as it was, byte for byte: the store does not switch it to WAL, a
 * change that outlives the connection, before it finds out the file is not one it may use. A file
 * whose migration fails (tables of something else) keeps its journal mode too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaTooNewError } from '../../src/store/schema-version.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
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

  it('a file whose migration fails (a table of something else) keeps its journal mode', async () => {
    const path = fileOf('CREATE TABLE executions (x INTEGER); INSERT INTO executions VALUES (1)');
    const error = await initError(path);
    expect((error as Error).message).toBe(
      `Cannot migrate SQLite store '${path}' (001_init.sql): table executions already exists`,
    );
    expect(journalMode(path)).toBe('delete');
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
