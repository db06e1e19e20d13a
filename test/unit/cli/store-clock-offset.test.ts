/**
 * The CLI reads the database's clock to judge leases and heartbeat ages as the nodes do: by its
 * host's, a CLI 60 s ahead said no live process owned an execution whose owner was alive.
 */
import { expect, it } from 'vitest';
import { hasLiveOwner, storeClockOffsetMs } from '../../../src/cli/store-client.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import type { ExecutionRecord, Store } from '../../../src/store/store.js';
import { PG_URL } from '../../store/pg-fixture.js';

const storeWith = (clockOffset?: Store['clockOffset']) =>
  ({ kind: 'postgres', clockOffset }) as unknown as Store;

it("is the store's reading, rounded", async () => {
  expect(await storeClockOffsetMs(storeWith(async () => ({ offsetMs: -60_000.4, roundTripMs: 1 })))).toBe(
    -60_000,
  );
});

it('is 0 for a store without a clock, one that fails, and one that does not answer in time', async () => {
  expect(await storeClockOffsetMs(storeWith(undefined))).toBe(0);
  expect(await storeClockOffsetMs(storeWith(() => Promise.reject(new Error('down'))))).toBe(0);
  expect(
    await storeClockOffsetMs(
      storeWith(() => new Promise(() => undefined)),
      20,
    ),
  ).toBe(0);
  expect(await storeClockOffsetMs(storeWith(async () => ({ offsetMs: Number.NaN, roundTripMs: 1 })))).toBe(0);
});

it("judges an owner live by the database's time, a host clock 60 s ahead notwithstanding", async () => {
  const record = { owner: 'node-a', leaseUntil: Date.now() + 10_000 } as ExecutionRecord;
  const hostAhead = Date.now() + 60_000;
  const offset = await storeClockOffsetMs(storeWith(async () => ({ offsetMs: -60_000, roundTripMs: 1 })));
  expect(hasLiveOwner(record, storeWith(undefined), hostAhead)).toBe(false);
  expect(hasLiveOwner(record, storeWith(undefined), hostAhead + offset)).toBe(true);
});
