/**
 * The folders made for a new SQLite file are made durable: each new folder's entry is in its
 * parent, and without an fsync of that parent a crash soon after the start could lose the folder
 * (and the database in it) though its writes were acknowledged. `node:fs` is a pass-through mock
 * that records which folders were synced.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrchestratorError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from './sqlite-fixture.js';

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, openSync: vi.fn(actual.openSync), fsyncSync: vi.fn(actual.fsyncSync) };
});

/** The paths whose descriptors were fsynced since the mocks were cleared, in order (a closed fd is reused). */
function syncedPaths(): string[] {
  const opens = vi.mocked(fs.openSync).mock;
  const syncs = vi.mocked(fs.fsyncSync).mock;
  return syncs.calls.map(([fd], i) => {
    let path = `fd ${fd}`;
    opens.calls.forEach(([target], j) => {
      const result = opens.results[j];
      const before = (opens.invocationCallOrder[j] ?? 0) < (syncs.invocationCallOrder[i] ?? 0);
      if (before && result?.type === 'return' && result.value === fd) path = String(target);
    });
    return path;
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  // Back to the pass-through given to vi.fn.
  vi.mocked(fs.fsyncSync).mockReset();
  vi.clearAllMocks();
});

async function open(path: string): Promise<SqliteStore> {
  const store = new SqliteStore(path);
  cleanups.push(() => store.close());
  await store.init();
  return store;
}

function base(): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return dir;
}

describe('SQLite store folders', () => {
  it('syncs the parent of each folder it makes for the file, and no folder when they exist', async () => {
    const dir = base();
    vi.clearAllMocks();
    await open(join(dir, 'a', 'b', 'store.sqlite'));
    expect(syncedPaths()).toEqual([dir, join(dir, 'a')]);
    expect(fs.existsSync(join(dir, 'a', 'b', 'store.sqlite'))).toBe(true);

    vi.clearAllMocks();
    await open(join(dir, 'a', 'b', 'other.sqlite'));
    expect(syncedPaths()).toEqual([]);
  });

  it.each(['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'])(
    'opens the store where folders cannot be synced (%s)',
    async (code) => {
      const dir = base();
      vi.mocked(fs.fsyncSync).mockImplementation(() => {
        throw Object.assign(new Error(`${code}: cannot sync`), { code });
      });
      const store = await open(join(dir, 'new', 'store.sqlite'));
      expect(await store.listOwners()).toEqual([]);
    },
  );

  it('fails the start with STORE_UNAVAILABLE when syncing a new folder fails otherwise (EIO)', async () => {
    const dir = base();
    vi.mocked(fs.fsyncSync).mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    });
    const store = new SqliteStore(join(dir, 'new', 'store.sqlite'));
    cleanups.push(() => store.close());
    const error = await store.init().then(
      () => new Error('opened'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OrchestratorError);
    expect((error as OrchestratorError).code).toBe('STORE_UNAVAILABLE');
    expect((error as Error).message).toContain('EIO');
  });
});
