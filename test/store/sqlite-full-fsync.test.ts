/**
 * `synchronous: 'FULL'` promises that a commit survives power loss. On macOS, fsync() leaves the
 * data in the drive's cache (Apple's fsync(2) man page points to F_FULLFSYNC for that), so SQLite
 * only keeps the promise there with `PRAGMA fullfsync = ON`, which the store sets with FULL. The
 * pragma does nothing on other systems (it is read back here, on whatever system runs the test);
 * NORMAL, which fsyncs no commit, leaves it off.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function open(options?: SqliteStoreOptions): Promise<SqliteStore> {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  const store = new SqliteStore(join(dir, 'store.sqlite'), options);
  cleanups.push(() => store.close());
  await store.init();
  return store;
}

describe('SQLite store: full fsync', () => {
  it('asks for F_FULLFSYNC with synchronous FULL (the default), not with NORMAL', async () => {
    expect((await open()).settings()).toMatchObject({ synchronous: 'FULL', fullFsync: true });
    expect((await open({ synchronous: 'FULL' })).settings().fullFsync).toBe(true);
    expect((await open({ synchronous: 'NORMAL' })).settings()).toMatchObject({
      synchronous: 'NORMAL',
      fullFsync: false,
    });
  });
});
