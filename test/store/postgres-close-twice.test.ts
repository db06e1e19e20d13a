/**
 * PostgresStore.close() called again while a first close() is under way (a signal handler and
 * the application's own shutdown, say) resolves only once the store is closed — its writes
 * committed, its listener and pool ended — as the first does. It resolved at once, while the
 * first was still committing and the pool still open.
 */
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL, storePerTest } from './pg-fixture.js';
import { makeExecution } from './records.js';

const fixture = storePerTest();

describe('PostgresStore: close() while closing', () => {
  it('the second call resolves once the store is closed, with the first', async () => {
    const store = new PostgresStore(PG_URL, { schema: fixture.schema });
    await store.init();
    const ended: string[] = [];
    const write = store.createExecution(makeExecution({ id: 'b' })).finally(() => ended.push('write'));
    const first = store.close().then(() => ended.push('first close'));
    await store.close();
    ended.push('second close');
    expect(ended).toEqual(['write', 'first close', 'second close']);
    await first;
    await expect(write).resolves.toEqual({ id: 'b', created: true });
  });
});
