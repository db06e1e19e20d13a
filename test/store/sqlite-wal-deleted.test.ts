/**
 * The write-ahead log (`-wal`) of a SQLite file deleted or replaced while the store has the file
 * open (a clean-up of files that look temporary): SQLite goes on writing to the log it opened,
 * which no path names any more, and the next start finds the commits it acknowledged missing (the
 * file may not even open: what it holds was still in the log). Writes are now refused,
 * STORE_UNAVAILABLE naming the log, as they are when the database file itself goes.
 */
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution } from './records.js';
import { openSqliteStoreForTest, passFileCheckInterval } from './sqlite-fixture.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A store on a new file, with one execution written. */
async function openStore(): Promise<{ store: SqliteStore; dir: string; path: string }> {
  const opened = await openSqliteStoreForTest();
  await opened.store.createExecution(makeExecution({ id: 'before' }));
  return opened;
}

describe('SQLite store whose write-ahead log is deleted or replaced while open', () => {
  it('refuses writes once the -wal and -shm files are deleted', async () => {
    const { store, path } = await openStore();
    rmSync(`${path}-wal`);
    rmSync(`${path}-shm`);
    passFileCheckInterval();
    await expect(store.createExecution(makeExecution({ id: 'after' }))).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: `SQLite store '${path}': its write-ahead log '${path}-wal' was deleted after the store opened it, so what it writes would be lost on the next start; restart to open the file now at that path`,
    });
  });

  it('refuses writes once another file takes the place of the -wal file', async () => {
    const { store, dir, path } = await openStore();
    copyFileSync(`${path}-wal`, join(dir, 'copy'));
    renameSync(join(dir, 'copy'), `${path}-wal`);
    passFileCheckInterval();
    await expect(store.releaseLeases('n1')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining(`its write-ahead log '${path}-wal' was replaced by another after`),
    });
  });
});
