/**
 * close() called again while a first close() is still under way (a signal handler and the
 * application's own shutdown, say) resolves only once the store is closed, as the first does: it
 * resolved at once, while the file was still open (its `-wal` file not yet checkpointed into the
 * database and removed, so a copy taken then missed the last writes).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeExecution } from './records.js';
import { openSqliteStoreForTest } from './sqlite-fixture.js';

describe('SQLite store: close() while closing', () => {
  it('the second call resolves once the file is closed, with the first', async () => {
    const { store, path } = await openSqliteStoreForTest();
    await store.createExecution(makeExecution({ id: 'a' }));
    const write = store.createExecution(makeExecution({ id: 'b' }));
    const first = store.close();
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(() => store.settings()).toThrow(/closed/);
    await first;
    await expect(write).resolves.toEqual({ id: 'b', created: true });
  });
});
