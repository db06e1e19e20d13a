/**
 * A SQLite file deleted, moved away or replaced while the store has it open: SQLite goes on
 * writing to the file it opened, which no path names any more (or another one does), so every
 * write it acknowledged was lost on the next start, which opened whatever the path named then (a
 * new, empty store). Writes are now refused, STORE_UNAVAILABLE naming the file and what happened,
 * instead of being acknowledged; a write to the file still at its path commits as before (a
 * relative path names the file it named at open, as SQLite keeps it, after a chdir too).
 */
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDENTITY_CHECK_INTERVAL_MS } from '../../src/store/sqlite/file-identity.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution } from './records.js';
import { openSqliteStoreForTest, passFileCheckInterval, tempDir } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A store on a new file, with one execution written. */
async function openStore(): Promise<{ store: SqliteStore; dir: string; path: string }> {
  const opened = await openSqliteStoreForTest();
  await opened.store.createExecution(makeExecution({ id: 'before' }));
  return opened;
}

function refusal(path: string, what: string): object {
  return {
    code: 'STORE_UNAVAILABLE',
    message: `SQLite store '${path}': the file was ${what} after the store opened it, so what it writes would be lost on the next start; restart to open the file now at that path`,
  };
}

describe('SQLite store whose file is deleted, moved or replaced while open', () => {
  it('refuses writes once its directory is deleted', async () => {
    const { store, dir, path } = await openStore();
    rmSync(dir, { recursive: true, force: true });
    passFileCheckInterval();
    await expect(store.createExecution(makeExecution({ id: 'after' }))).rejects.toMatchObject(
      refusal(path, 'deleted'),
    );
  });

  it('refuses writes once the file is moved away', async () => {
    const { store, dir, path } = await openStore();
    renameSync(path, join(dir, 'moved.sqlite'));
    passFileCheckInterval();
    await expect(store.update({ id: 'before', epoch: 0, set: { cursor: 1 } })).rejects.toMatchObject(
      refusal(path, 'deleted'),
    );
  });

  it('refuses writes once another file takes its place', async () => {
    const { store, dir, path } = await openStore();
    copyFileSync(path, join(dir, 'copy.sqlite'));
    renameSync(join(dir, 'copy.sqlite'), path);
    passFileCheckInterval();
    await expect(store.releaseLeases('n1')).rejects.toMatchObject(refusal(path, 'replaced by another'));
  });

  it('checks at most once per interval: commits within it go ahead, the first past it is refused', async () => {
    // Date.now() stands still from here, but as the test moves it.
    vi.setSystemTime(Date.now());
    const { store, dir, path } = await openStore();
    rmSync(dir, { recursive: true, force: true });
    // The check of the first write passed just now: the next ones within the interval are not
    // checked (the window the docs give: writes of at most that last second are lost with the file).
    await store.createExecution(makeExecution({ id: 'in-window' }));
    vi.setSystemTime(Date.now() + IDENTITY_CHECK_INTERVAL_MS - 1);
    await store.createExecution(makeExecution({ id: 'still-in-window' }));
    vi.setSystemTime(Date.now() + 1);
    await expect(store.createExecution(makeExecution({ id: 'after' }))).rejects.toMatchObject(
      refusal(path, 'deleted'),
    );
  });

  it('a relative path is the file it named when the store opened, whatever the directory later', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const cwd = process.cwd();
    process.chdir(dir);
    cleanups.push(() => process.chdir(cwd));
    const store = new SqliteStore('store.sqlite');
    cleanups.push(() => store.close());
    await store.init();
    process.chdir(cwd);
    await store.createExecution(makeExecution({ id: 'after-chdir' }));
    expect((await store.getExecution('after-chdir'))?.execution.id).toBe('after-chdir');
  });

  it('writes on while the file stays where it was', async () => {
    const { store } = await openStore();
    await store.createExecution(makeExecution({ id: 'after' }));
    expect((await store.listExecutions({ limit: 10 })).map((s) => s.execution.id).sort()).toEqual([
      'after',
      'before',
    ]);
  });
});
