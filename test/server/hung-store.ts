/**
 * Fixtures of the tests of a store that does not answer: an orchestrator on SQLite with a fake
 * clock whose store holds every call of one method until the test ends, and the answer to a
 * request once the one-second bound passed on that clock. `releaseHungStores()` (in `afterEach`,
 * before `closeAll`) puts the method back and answers the calls held: the fixture's housekeeping
 * reads the store too, and its close waits for that round.
 * @module
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { FakeClock } from '../../src/index.js';
import type { AppOptions } from '../../src/server/app.js';
import { STORE_WAIT_MS } from '../../src/server/store-wait.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { answerWithin, tempSqliteUrl } from '../helpers/orchestrator.js';
import { define, type Fixture, setup } from './helpers.js';

const releases: Array<() => void> = [];

/** Puts back the methods `hungStore` held and answers their calls. */
export function releaseHungStores(): void {
  for (const release of releases.splice(0)) release();
}

/** An orchestrator on SQLite with a fake clock, `known` defined, and the store's `method` held. */
export async function hungStore(
  method: 'listDefinitions' | 'listNodes' | 'listExecutions',
  app: Partial<AppOptions> = {},
): Promise<{ clock: FakeClock; f: Fixture; calls: { count: number } }> {
  const clock = new FakeClock();
  const store = openStore(tempSqliteUrl()) as Store;
  const f = await setup({ orchestrator: { store, clock, sweepInterval: 1 }, app });
  await define(f, 'known', [{ name: 'greet' }]);
  const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
  const calls = { count: 0 };
  const held: Array<() => void> = [];
  store[method] = ((...args: unknown[]) => {
    calls.count++;
    return new Promise((resolve, reject) => held.push(() => original(...args).then(resolve, reject)));
  }) as never;
  await clock.advance(2_000); // the definitions are due for a re-read
  calls.count = 0;
  releases.push(() => {
    store[method] = original as never;
    for (const answer of held.splice(0)) answer();
  });
  return { clock, f, calls };
}

/** The answer to `request` once {@link STORE_WAIT_MS} passed on `clock`; no answer before. */
export async function answerAfterWait(
  clock: FakeClock,
  request: Promise<LightMyRequestResponse>,
): Promise<LightMyRequestResponse> {
  expect(await answerWithin(request, 200)).toMatch(/no answer/);
  await clock.advance(STORE_WAIT_MS);
  const res = await answerWithin(request, 2_000);
  if (typeof res === 'string') throw new Error(`${res} after the ${STORE_WAIT_MS} ms bound`);
  return res;
}
