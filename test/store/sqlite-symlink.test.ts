/**
 * A SQLite store whose path is a symbolic link to the database file: SQLite follows the link and
 * keeps the `-wal` and `-shm` files next to the file it points to, not next to the link. The check
 * of the files before a commit looked next to the link: a `-wal` deleted next to the real file went
 * unseen (writes acknowledged into a log no path names), and a stray file next to the link that
 * went away refused every write. It now checks the files where SQLite has them.
 */
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution } from './records.js';
import { passFileCheckInterval, tempDir } from './sqlite-fixture.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A store opened through `link.sqlite`, a relative link to `real/store.sqlite`, one execution written. */
async function openThroughLink(before?: (link: string) => void) {
  const { dir, remove } = tempDir();
  mkdirSync(join(dir, 'real'));
  const link = join(dir, 'link.sqlite');
  // As SQLite names it: the temporary directory itself may be reached through a link (macOS).
  const real = join(realpathSync(dir), 'real', 'store.sqlite');
  symlinkSync(join('real', 'store.sqlite'), link);
  before?.(link);
  const store = new SqliteStore(link);
  onTestFinished(async () => {
    await store.close();
    remove();
  });
  await store.init();
  await store.createExecution(makeExecution({ id: 'before' }));
  return { store, link, real };
}

describe('SQLite store opened through a symbolic link', () => {
  it('keeps its -wal and -shm next to the file the link points to', async () => {
    const { link, real } = await openThroughLink();
    expect(existsSync(`${real}-wal`)).toBe(true);
    expect(existsSync(`${real}-shm`)).toBe(true);
    expect(existsSync(`${link}-wal`)).toBe(false);
  });

  it('refuses writes once the -wal next to the real file is deleted', async () => {
    const { store, link, real } = await openThroughLink();
    rmSync(`${real}-wal`);
    rmSync(`${real}-shm`);
    passFileCheckInterval();
    await expect(store.createExecution(makeExecution({ id: 'after' }))).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: `SQLite store '${link}': its write-ahead log '${real}-wal' was deleted after the store opened it, so what it writes would be lost on the next start; restart to open the file now at that path`,
    });
  });

  it('writes on when a stray -wal next to the link goes away (SQLite never used it)', async () => {
    const { store, link } = await openThroughLink((l) => writeFileSync(`${l}-wal`, 'not a log'));
    rmSync(`${link}-wal`);
    passFileCheckInterval();
    await store.createExecution(makeExecution({ id: 'after' }));
    expect((await store.getExecution('after'))?.execution.id).toBe('after');
  });

  it('refuses writes once the link points to another file', async () => {
    const { store, link } = await openThroughLink();
    rmSync(link);
    symlinkSync(join('real', 'other.sqlite'), link);
    writeFileSync(join(link, '..', 'real', 'other.sqlite'), '');
    passFileCheckInterval();
    await expect(store.releaseLeases('n1')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining(`SQLite store '${link}': the file was replaced by another after`),
    });
  });
});
