/**
 * The `/v1` routes that read the store for something this node may know already waited without
 * bound on a store that does not answer (a network partition: PostgreSQL's connect timeout is
 * 10 s, its query timeout 30 s), as `GET /metrics` did. They now wait at most a second on the
 * orchestrator's clock (`STORE_WAIT_MS`), then answer as on a store error: the workflow listings
 * with the workflows this node knows, a workflow this node knows with its known version, and
 * what needs the store (the node registry, a workflow unknown here) with 503 `STORE_UNAVAILABLE`.
 * The read goes on in the background.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll } from './helpers.js';
import { answerAfterWait, hungStore, releaseHungStores } from './hung-store.js';

afterEach(async () => {
  releaseHungStores();
  await closeAll();
});

async function expectStoreUnavailable(res: LightMyRequestResponse): Promise<void> {
  expect(res.statusCode).toBe(503);
  expect(res.json()).toEqual({
    error: { code: 'STORE_UNAVAILABLE', message: 'The store is unavailable; try again later' },
  });
}

describe('/v1 routes while the store does not answer', () => {
  it('GET /v1/workers answers 503 STORE_UNAVAILABLE within a second, as on a store error', async () => {
    const { clock, f, calls } = await hungStore('listNodes');
    await expectStoreUnavailable(await answerAfterWait(clock, f.call({ url: '/v1/workers' })));
    expect(calls.count).toBeGreaterThan(0);
  });

  it('GET /v1/workflows answers within a second with the workflows this node knows', async () => {
    const { clock, f, calls } = await hungStore('listDefinitions');
    const res = await answerAfterWait(clock, f.call({ url: '/v1/workflows' }));
    expect(res.statusCode).toBe(200);
    expect((res.json() as { workflows: { id: string }[] }).workflows.map((w) => w.id)).toEqual(['known']);
    expect(calls.count).toBe(1);
  });

  it('GET /v1/workflows/:id answers with the known version, or 503 for a workflow unknown here', async () => {
    const { clock, f } = await hungStore('listDefinitions');
    const known = await answerAfterWait(clock, f.call({ url: '/v1/workflows/known' }));
    expect(known.statusCode).toBe(200);
    expect(known.json()).toMatchObject({ id: 'known', version: 1 });
    await expectStoreUnavailable(await answerAfterWait(clock, f.call({ url: '/v1/workflows/elsewhere' })));
    await expectStoreUnavailable(
      await answerAfterWait(clock, f.call({ url: '/v1/workflows/known?version=2' })),
    );
  });
});
