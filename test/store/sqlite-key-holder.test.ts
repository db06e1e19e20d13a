/**
 * Two processes on one SQLite file: `findByIdempotencyKey` (asked when a retry with a key would
 * be refused) waits for a create with that key the other process has under way (its write
 * transaction open), as a create with that key would, and answers what it ended with.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function openStore(): Promise<{ store: SqliteStore; path: string }> {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  const path = join(dir, 'store.sqlite');
  const store = new SqliteStore(path);
  await store.init();
  cleanups.push(() => store.close());
  return { store, path };
}

/**
 * Another process inserts execution `first` with key `order-1` and ends its transaction with `end`
 * `ms` after it printed `held`; resolves once it did (with its exit), when `held` was printed.
 */
function holdCreate(
  path: string,
  ms: number,
  end: 'COMMIT' | 'ROLLBACK',
): Promise<{ ended: Promise<string> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/store/fixtures/sqlite-child.ts',
      'hold-create',
      path,
      'first',
      'order-1',
      String(ms),
      end,
    ],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const ended = new Promise<string>((resolve) => child.on('close', () => resolve(out)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out === 'held\n') resolve({ ended });
    });
    void ended.then(() => reject(new Error(`the child ended before holding: ${out}`)));
  });
}

describe('SQLite findByIdempotencyKey with a create under way in another process', () => {
  it('waits for it and gives its execution once it commits', async () => {
    const { store, path } = await openStore();
    // The transaction stays open for 1.5 s after `held`: the lookup starts well within it.
    const { ended } = await holdCreate(path, 1_500, 'COMMIT');
    expect(await store.findByIdempotencyKey('order-1')).toEqual({ id: 'first', workflowId: 'pay' });
    expect(await ended).toBe('held\nended\n');
  }, 20_000);

  it('waits for it and finds the key free once it rolls back', async () => {
    const { store, path } = await openStore();
    const { ended } = await holdCreate(path, 500, 'ROLLBACK');
    expect(await store.findByIdempotencyKey('order-1')).toBeNull();
    expect(await ended).toBe('held\nended\n');
    expect(await store.countExecutions({})).toBe(0);
  }, 20_000);
});
