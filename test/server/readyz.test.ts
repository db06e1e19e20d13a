/**
 * `GET /readyz`: readiness for a load balancer or Kubernetes. `/healthz` says the process takes
 * work (liveness: restarting it would not help when its database is away); `/readyz` says it can
 * serve, by a read of the store bounded to a second: 200 `ready`, else 503 `unavailable` (the
 * store failed or did not answer) or `closing`. The reason is logged, not answered: the probe is
 * public, and a store's error names its server.
 */
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, PostgresStore } from '../../src/index.js';
import { createServerLogger } from '../../src/server/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { answerWithin, tempSqliteUrl } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from '../store/pg-fixture.js';
import { closeAll, setup } from './helpers.js';

const SCHEMA = freshSchema();
beforeAll(assertServerReachable);
afterEach(closeAll);
afterAll(() => dropSchema(SCHEMA));

describe('GET /readyz', () => {
  it('answers 200 ready without a token while the store answers, and is in the OpenAPI document', async () => {
    const f = await setup();
    const res = await f.app.inject({ url: '/readyz' });
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 200, body: { status: 'ready' } });
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/readyz');
  });

  it('answers 503 unavailable while the store fails its read (PostgreSQL), logging why, and 200 again after', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createServerLogger({ level: 'info', destination });
    const f = await setup({
      orchestrator: { store: new PostgresStore(PG_URL, { schema: SCHEMA }), logger },
      app: { logger },
    });
    expect((await f.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    await withClient((c) => c.query(`ALTER TABLE "${SCHEMA}".executions RENAME TO gone`));
    try {
      const res = await f.app.inject({ url: '/readyz' });
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 503,
        body: { status: 'unavailable' },
      });
      const warned = lines
        .map((l) => JSON.parse(l))
        .find((l) => l.msg === 'readiness probe: the store is unavailable');
      expect(warned?.level).toBe(40);
      expect(warned?.err?.message).toMatch(/executions" does not exist/);
    } finally {
      await withClient((c) => c.query(`ALTER TABLE "${SCHEMA}".gone RENAME TO executions`));
    }
    expect((await f.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('answers 503 once a second passed on the clock without an answer from the store', async () => {
    const clock = new FakeClock();
    const store = openStore(tempSqliteUrl());
    const f = await setup({ orchestrator: { store, clock, sweepInterval: 1 } });
    const original = store.getExecution.bind(store);
    const held: (() => void)[] = [];
    store.getExecution = (id) =>
      new Promise((resolve, reject) => held.push(() => original(id).then(resolve, reject)));
    try {
      const probe = f.app.inject({ url: '/readyz' });
      expect(await answerWithin(probe, 200)).toMatch(/no answer/);
      await clock.advance(1_000);
      const res = await answerWithin(probe, 2_000);
      if (typeof res === 'string') throw new Error(res);
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 503,
        body: { status: 'unavailable' },
      });
    } finally {
      store.getExecution = original;
      for (const answer of held.splice(0)) answer();
    }
  });

  it('answers 503 once the SQLite file was deleted, though reads still work through the file it opened', async () => {
    // Every write is refused then, until a restart: the node cannot serve.
    const url = tempSqliteUrl();
    const f = await setup({ orchestrator: { store: url } });
    expect((await f.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    rmSync(url.slice('sqlite:'.length));
    expect(await f.orch.store.getExecution('readyz-probe')).toBeNull();
    const res = await f.app.inject({ url: '/readyz' });
    expect({ status: res.statusCode, body: res.json() }).toEqual({
      status: 503,
      body: { status: 'unavailable' },
    });
  });

  it('answers 503 closing once the orchestrator closes', async () => {
    const f = await setup();
    await f.orch.close();
    const res = await f.app.inject({ url: '/readyz' });
    expect({ status: res.statusCode, body: res.json() }).toEqual({
      status: 503,
      body: { status: 'closing' },
    });
  });
});
