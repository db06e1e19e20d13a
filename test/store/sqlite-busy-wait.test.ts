import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution } from './records.js';
import { openSqliteStoreForTest } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function storeWithHolder(): Promise<{ store: SqliteStore; holder: Database.Database; path: string }> {
  const { store, path } = await openSqliteStoreForTest();
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
