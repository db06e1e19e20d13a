/**
 * While the app closes (`serve` on SIGTERM, after the grace), every new request answers 503: the
 * API's `CLOSED` envelope (`/healthz` its own `{ status: 'closing' }`). Each route's OpenAPI
 * responses list that 503, as they list every other status the route answers: the listings, the
 * alerts, `/metrics` and `/openapi.json` did not.
 */
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppPlugin } from '../../src/server/app.js';
import { AUTH, closeAll, setup } from './helpers.js';

afterEach(closeAll);

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

describe('OpenAPI responses while the app closes', () => {
  it('lists the 503 every route answers once the app began to close', async () => {
    // The close begins (the app refuses new requests) and is held open until every route answered.
    let began!: () => void;
    const closeBegan = new Promise<void>((resolve) => {
      began = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holdClose: AppPlugin = (scope) => {
      scope.addHook('preClose', async () => {
        began();
        await released;
      });
    };
    const f = await setup({ app: { plugins: [holdClose] } });
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    // Over a socket: the app refuses `inject` once closing, while its server still answers.
    await f.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = f.app.server.address() as net.AddressInfo;
    const closing = f.app.close();
    await closeBegan;
    const undocumented: string[] = [];
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const res = await fetch(`http://127.0.0.1:${port}${path.replace(/\{\w+\}/g, 'x')}`, {
          method: method.toUpperCase(),
          headers: AUTH,
        });
        expect(`${res.status} ${await res.text()}`, `${method} ${path}`).toMatch(/^503 /);
        checked++;
        if (!Object.hasOwn(operation.responses, '503')) undocumented.push(`${method.toUpperCase()} ${path}`);
      }
    }
    release();
    await closing;
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(undocumented).toEqual([]);
  });
});
