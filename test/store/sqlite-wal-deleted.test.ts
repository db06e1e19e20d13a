/**
 * The write-ahead log (`-wal`) of a SQLite file deleted or replaced while the store has the file
 * open (a clean-up of files that look temporary): SQLite goes on writing to the log it opened,
 * which no path names any more, and the next start finds the commits it acknowledged missing (the
 * file may not even open: what it holds was still in the log). Writes are now refused,
 * STORE_UNAVAILABLE naming the log, as they are when the database file itself goes.
 *
 * The same for the shared-memory index (`-shm`) alone: SQLite goes on indexing its commits in the
 * one it mapped, which no path names any more, while another process opening the file makes a new
 * one without them: that process does not see them, and its own commits, appended to the log
 * where the index it has says the log ends, overwrite them.
 */
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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

  it('refuses writes once the -shm file alone is deleted, naming it', async () => {
    const { store, path } = await openStore();
    rmSync(`${path}-shm`);
    passFileCheckInterval();
    await expect(store.createExecution(makeExecution({ id: 'after' }))).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: `SQLite store '${path}': its shared-memory index '${path}-shm' was deleted after the store opened it, so other processes on the file would not see what it writes and could write over it; restart to open the file now at that path`,
    });
  });

  it('refuses writes once another file takes the place of the -shm file', async () => {
    const { store, dir, path } = await openStore();
    copyFileSync(`${path}-shm`, join(dir, 'copy'));
    renameSync(join(dir, 'copy'), `${path}-shm`);
    passFileCheckInterval();
    await expect(store.requestCancel('before')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining(`its shared-memory index '${path}-shm' was replaced by another after`),
    });
  });

  it('writes on and stays visible to another process while the -shm file is left alone', async () => {
    const { store, path } = await openStore();
    const other = new Database(path, { readonly: true });
    try {
      passFileCheckInterval();
      await store.createExecution(makeExecution({ id: 'after' }));
      expect(other.prepare('SELECT id FROM executions ORDER BY id').pluck().all()).toEqual([
        'after',
        'before',
      ]);
    } finally {
      other.close();
    }
  });
});

describe('closing a SQLite store whose files changed', () => {
  /** Closes `store`, giving the pragmas it ran meanwhile. */
  async function pragmasOfClose(store: SqliteStore): Promise<unknown[]> {
    const db = (store as unknown as { db: Database.Database }).db;
    const run = vi.spyOn(db, 'pragma');
    await store.close();
    return run.mock.calls.map((call) => call[0]);
  }

  it('runs PRAGMA optimize at close while the files are the ones it opened', async () => {
    const { store } = await openStore();
    expect(await pragmasOfClose(store)).toContain('optimize');
  });

  it.each(['-wal', ''])('writes nothing at close once another file takes the place of %s', async (suffix) => {
    const { store, dir, path } = await openStore();
    copyFileSync(`${path}${suffix}`, join(dir, 'copy'));
    renameSync(join(dir, 'copy'), `${path}${suffix}`);
    expect(await pragmasOfClose(store)).not.toContain('optimize');
  });
});
