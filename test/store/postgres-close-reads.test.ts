/**
 * A read waiting for one of the pool's connections when the store closes is answered before the
 * pool ends: `pg`'s pool, once ending, hands no connection to those still waiting, which failed
 * after the connect timeout (10 s) with 'timeout exceeded when trying to connect'.
 */
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL, storePerTest } from './pg-fixture.js';
import { heldExecution } from './records.js';

const fixture = storePerTest();

describe('PostgresStore.close with reads waiting for a connection', () => {
  it('answers them before the pool ends', async () => {
    // One connection: the second and third reads wait for the first's.
    const store = new PostgresStore(PG_URL, { schema: fixture.schema, poolSize: 1 });
    await store.init();
    await store.createExecution(heldExecution('e1', 'w', 'n1', Date.now() + 60_000));
    const settled: string[] = [];
    const reads = [
      store.readOwned('n1').then((read) => read.unfinished.map((e) => e.id)),
      store.readOwned('n1').then((read) => read.unfinished.map((e) => e.id)),
      store.listOwned('n1', 10),
    ].map((read, i) => read.finally(() => settled.push(`read ${i}`)));
    await store.close();
    expect(settled.sort()).toEqual(['read 0', 'read 1', 'read 2']);
    expect(await Promise.all(reads)).toEqual([['e1'], ['e1'], ['e1']]);
    await expect(store.listOwned('n1', 10)).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
