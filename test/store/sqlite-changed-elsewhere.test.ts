/**
 * `SqliteStore.changedElsewhere`: true when another connection to the file (another process, or
 * another store in this one) committed since the last call; a store's own commits do not count.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution } from './records.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function open(path: string): Promise<SqliteStore> {
  const store = new SqliteStore(path);
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

describe('SqliteStore.changedElsewhere', () => {
  it('sees commits of other connections only', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const path = join(dir, 'store.sqlite');
    const a = await open(path);
    const b = await open(path);
    expect(await a.changedElsewhere()).toBe(false);
    await a.createExecution(makeExecution({ id: 'e1' }));
    expect(await a.changedElsewhere()).toBe(false);
    expect(await b.changedElsewhere()).toBe(true);
    expect(await b.changedElsewhere()).toBe(false);
    await b.update({ id: 'e1', epoch: 0, set: { status: 'completed' } });
    expect(await a.changedElsewhere()).toBe(true);
    expect(await b.changedElsewhere()).toBe(false);
  });
});
