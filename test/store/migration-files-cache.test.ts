/**
 * The shipped migration files are read from disk once per process: every SQLite open (and
 * PostgreSQL start) used to list the folder and read each file again. Reads of `node:fs` are
 * counted through a pass-through mock.
 */
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  loadMigrations as loadPostgres,
  MIGRATIONS_DIR as POSTGRES_DIR,
} from '../../src/store/postgres/migrate.js';
import { MIGRATIONS_DIR as SQLITE_DIR } from '../../src/store/sqlite/migrate.js';
import { sqliteFixture } from './sqlite-fixture.js';

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, readdirSync: vi.fn(actual.readdirSync), readFileSync: vi.fn(actual.readFileSync) };
});

/** How many times `readdirSync` and `readFileSync` were called on something under `dir`. */
function readsUnder(dir: URL): { lists: number; files: number } {
  const under = (target: unknown): boolean => {
    const href =
      target instanceof URL ? target.href : typeof target === 'string' ? pathToFileURL(target).href : '';
    return href.startsWith(dir.href);
  };
  return {
    lists: vi.mocked(fs.readdirSync).mock.calls.filter(([target]) => under(target)).length,
    files: vi.mocked(fs.readFileSync).mock.calls.filter(([target]) => under(target)).length,
  };
}

/** How many migration files `dir` holds. */
function sqlFilesIn(dir: URL): number {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.sql')).length;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('migration files', () => {
  it('are read once per process: a second SQLite open reads none again', async () => {
    const first = await sqliteFixture();
    cleanups.push(first.cleanup);
    await first.store.init();
    const afterFirst = readsUnder(SQLITE_DIR);
    expect(afterFirst.lists).toBe(1);

    const second = await sqliteFixture();
    cleanups.push(second.cleanup);
    await second.store.init();
    expect(readsUnder(SQLITE_DIR)).toEqual(afterFirst);
    // Each shipped file was read once by the first open (counted last: listing the folder is a read).
    expect(afterFirst.files).toBe(sqlFilesIn(SQLITE_DIR));
  });

  it("are read once for PostgreSQL too, and a caller changing the list it got changes no one else's", () => {
    const first = loadPostgres();
    const reads = readsUnder(POSTGRES_DIR);
    expect(reads.lists).toBe(1);
    first.pop();
    const second = loadPostgres();
    expect(second.length).toBe(first.length + 1);
    expect(readsUnder(POSTGRES_DIR)).toEqual(reads);
    expect(reads.files).toBe(sqlFilesIn(POSTGRES_DIR));
    expect(second.length).toBe(reads.files);
  });
});
