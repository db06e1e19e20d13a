import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution } from './records.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A new file another connection holds the write lock of, as a process migrating it does. */
function heldNewFile(): { path: string; holder: Database.Database } {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  const path = join(dir, 'store.sqlite');
  const holder = new Database(path);
  cleanups.push(() => {
    if (holder.inTransaction) holder.exec('ROLLBACK');
    holder.close();
  });
  holder.exec('BEGIN IMMEDIATE');
  return { path, holder };
}

describe('SQLite store: opening a file while another connection holds its write lock', () => {
  it('tries the switch to WAL again, and opens once the lock is released', async () => {
    const { path, holder } = heldNewFile();
    const store = new SqliteStore(path);
    cleanups.push(() => store.close());
    let released = false;
    // SQLite answers the switch SQLITE_BUSY at once here (its busy handler is not called): only a
    // retry on the event loop lets this timer run and the open succeed.
    setTimeout(() => {
      holder.exec('ROLLBACK');
      released = true;
    }, 40);
    await store.init();
    expect(released).toBe(true);
    const db = new Database(path, { readonly: true });
    cleanups.push(() => {
      db.close();
    });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    await expect(store.createExecution(makeExecution({ id: 'a' }))).resolves.toEqual({
      id: 'a',
      created: true,
    });
  });
});
