/**
 * Temporary SQLite files for the store tests: a fresh directory per store, removed afterwards.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, vi } from 'vitest';
import { IDENTITY_CHECK_INTERVAL_MS } from '../../src/store/sqlite/file-identity.js';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import type { StoreFixture } from './contract.js';

/** A fresh temporary directory; `remove` deletes it. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-sqlite-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A SqliteStore on a new file in a new temporary directory. */
export async function sqliteFixture(options?: SqliteStoreOptions): Promise<StoreFixture & { path: string }> {
  const { dir, remove } = tempDir();
  const path = join(dir, 'store.sqlite');
  const store = new SqliteStore(path, options);
  return {
    store,
    path,
    async cleanup() {
      await store.close();
      remove();
    },
  };
}

/**
 * A SqliteStore opened (`init()` done) on `store.sqlite` in a new temporary directory, closed and
 * its directory removed when the test ends.
 */
export async function openSqliteStoreForTest(): Promise<{ store: SqliteStore; dir: string; path: string }> {
  const { dir, remove } = tempDir();
  const path = join(dir, 'store.sqlite');
  const store = new SqliteStore(path);
  onTestFinished(async () => {
    await store.close();
    remove();
  });
  await store.init();
  return { store, dir, path };
}

/**
 * The path of `store.sqlite` in a new temporary directory, migrated by a SqliteStore and closed
 * (for tests that read or fill the file themselves); the directory is removed when the test ends.
 */
export async function migratedSqliteFile(): Promise<string> {
  const { dir, remove } = tempDir();
  onTestFinished(remove);
  const path = join(dir, 'store.sqlite');
  const store = new SqliteStore(path);
  await store.init();
  await store.close();
  return path;
}

/**
 * Moves `Date.now()` (mocked from here; `vi.useRealTimers()` restores it) past the interval in
 * which a store checks its files at most once (`file-identity.ts`).
 */
export function passFileCheckInterval(): void {
  vi.setSystemTime(Date.now() + IDENTITY_CHECK_INTERVAL_MS);
}
