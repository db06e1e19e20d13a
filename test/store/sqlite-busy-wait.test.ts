/**
 * A write while another connection holds the file's write lock (another process mid-commit, a
 * `sqlite3` shell left in a transaction, a CLI purge) waits for the lock without blocking the
 * event loop: SQLite's busy handler slept inside the synchronous driver for up to the 5 s busy
 * timeout, so timers, HTTP requests, lease renewals and the holder's own release (when it is in
 * this process) all stood still meanwhile, and a lock released a moment later still failed the
 * write. The wait is now made between attempts on the event loop, for as long as before: a lock
 * held past it still fails the writes with SQLITE_BUSY named. `findByIdempotencyKey`, which reads
 * under the write lock, waits for it the same way.
 */
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

async function storeWithHolder(): Promise<{ store: SqliteStore; holder: Database.Database; path: string }> {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  const path = join(dir, 'store.sqlite');
  const store = new SqliteStore(path);
  cleanups.push(() => store.close());
  await store.init();
  const holder = new Database(path);
  cleanups.push(() => {
    if (holder.inTransaction) holder.exec('ROLLBACK');
    holder.close();
  });
  holder.exec('BEGIN IMMEDIATE');
  return { store, holder, path };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SQLite store: a write while another connection holds the write lock', () => {
  it('waits on the event loop and commits once the lock is released', async () => {
    const { store, holder } = await storeWithHolder();
    const write = store.createExecution(makeExecution({ id: 'a' }));
    // The group commit's flush runs on the next turn; the loop goes on turning after it.
    await turn();
    await turn();
    holder.exec('ROLLBACK');
    await expect(write).resolves.toEqual({ id: 'a', created: true });
    expect((await store.getExecution('a'))?.execution.id).toBe('a');
  });

  it('a lock held past the busy timeout fails the write, the event loop turning all the while', async () => {
    const { store, path } = await storeWithHolder();
    let turns = 0;
    let waiting = true;
    const count = () => {
      turns++;
      if (waiting) setTimeout(count, 1);
    };
    count();
    const write = store.createExecution(makeExecution({ id: 'c' })).finally(() => {
      waiting = false;
    });
    await expect(write).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: `SQLite store '${path}': database is locked (SQLITE_BUSY: another process held the write lock on the file past the 5 s busy timeout)`,
    });
    // Blocked in the driver, the loop turned a few times at most (once per 5 s attempt).
    expect(turns).toBeGreaterThan(20);
  });

  it('findByIdempotencyKey, read under the write lock, waits for it the same way', async () => {
    const { store, holder } = await storeWithHolder();
    holder.exec('ROLLBACK');
    await store.createExecution(makeExecution({ id: 'k1', idempotencyKey: 'order-1' }));
    holder.exec('BEGIN IMMEDIATE');
    const found = store.findByIdempotencyKey('order-1');
    await turn();
    await turn();
    holder.exec('ROLLBACK');
    await expect(found).resolves.toEqual({ id: 'k1', workflowId: 'wf' });
  });

  it('close() waits for the write and the write commits', async () => {
    const { store, holder } = await storeWithHolder();
    const write = store.createExecution(makeExecution({ id: 'b' }));
    await turn();
    const closed = store.close();
    await turn();
    holder.exec('ROLLBACK');
    await closed;
    await expect(write).resolves.toEqual({ id: 'b', created: true });
  });
});
