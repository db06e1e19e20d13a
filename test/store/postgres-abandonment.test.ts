/**
 * The PostgreSQL store's switch that stops reads and commits waiting for a server that does not
 * answer (`abandonment.ts`). Every operation of the store is raced against it, so it must let go
 * of each once it settled: racing them against one promise that never settles while the store is
 * open kept every operation's result alive (a node's heap grew by ≈2.5 KB an execution, without
 * bound).
 */
import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../src/errors.js';
import { Abandonment } from '../../src/store/postgres/abandonment.js';
import { storePerTest } from './pg-fixture.js';
import { makeExecution } from './records.js';

const never = () => new Promise<never>(() => undefined);

describe('Abandonment', () => {
  it('gives each operation its outcome and keeps nothing of it once it settled', async () => {
    const abandonment = new Abandonment();
    const ok = abandonment.race(Promise.resolve(1));
    const failed = abandonment.race(Promise.reject(new Error('boom')));
    expect(abandonment.size).toBe(2);
    await expect(ok).resolves.toBe(1);
    await expect(failed).rejects.toThrow('boom');
    expect(abandonment.size).toBe(0);
  });

  it('fails what waits when abandoned, and every later operation at once', async () => {
    const abandonment = new Abandonment();
    const waiting = abandonment.race(never());
    const error = new OrchestratorError('STORE_UNAVAILABLE', 'gone');
    abandonment.abandon(error);
    await expect(waiting).rejects.toBe(error);
    expect(abandonment.size).toBe(0);
    // A later operation's own rejection is not reported as unhandled: it is nobody's any more.
    await expect(abandonment.race(Promise.reject(new Error('late')))).rejects.toBe(error);
    abandonment.abandon(new OrchestratorError('STORE_UNAVAILABLE', 'again'));
    await expect(abandonment.race(Promise.resolve(2))).rejects.toBe(error);
  });
});

describe('PostgresStore: operations that settled', () => {
  const pg = storePerTest();

  it('leave nothing waiting on the abandonment switch', async () => {
    const { store } = pg;
    for (let i = 0; i < 20; i++) {
      await store.createExecution(makeExecution({ id: `e${i}` }));
      await store.getExecution(`e${i}`);
    }
    await store.listExecutions({ limit: 5 });
    expect((store as unknown as { abandonment: Abandonment }).abandonment.size).toBe(0);
  });
});
