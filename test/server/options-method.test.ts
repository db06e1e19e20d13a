/**
 * `OPTIONS` on a known path answers 204 with an `Allow` header listing the methods it serves,
 * OPTIONS included (it answered 405 METHOD_NOT_ALLOWED, as if OPTIONS were a method nobody
 * serves); on an unknown path 404, and on `/v1` without a token 401, as any other method.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/index.js';
import { closeAll, envelope, setup } from './helpers.js';

afterEach(closeAll);

describe('OPTIONS', () => {
  it.each([
    ['/v1/workflows', 'GET, HEAD, OPTIONS, POST'],
    ['/v1/workflows/wf', 'GET, HEAD, OPTIONS'],
    ['/v1/workflows/wf/executions', 'OPTIONS, POST'],
    ['/v1/executions/abc/cancel?x=1', 'OPTIONS, POST'],
    ['/healthz', 'GET, HEAD, OPTIONS'],
    ['/openapi.json', 'GET, HEAD, OPTIONS'],
  ])('OPTIONS %s answers 204 with Allow: %s', async (url, allow) => {
    const f = await setup();
    const res = await f.call({ method: 'OPTIONS', url });
    expect(res.statusCode).toBe(204);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toBe('');
    // The headers of every answer.
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 204 on the public paths without a token, 401 on /v1 without one', async () => {
    const f = await setup();
    const health = await f.app.inject({ method: 'OPTIONS', url: '/healthz' });
    expect(health.statusCode).toBe(204);
    const anonymous = await f.app.inject({ method: 'OPTIONS', url: '/v1/workflows' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers 404 NOT_FOUND on an unknown path', async () => {
    const f = await setup();
    for (const url of ['/v1/bogus', '/nowhere']) {
      const res = await f.call({ method: 'OPTIONS', url });
      expect(res.statusCode).toBe(404);
      expect(envelope(res).code).toBe('NOT_FOUND');
    }
  });

  it('answers on the dashboard pages too, with their security headers', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const res = await f.app.inject({ method: 'OPTIONS', url: '/login' });
    expect(res.statusCode).toBe(204);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('is listed in the Allow of a 405', async () => {
    const f = await setup();
    const res = await f.call({ method: 'DELETE', url: '/v1/workflows' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
  });
});
