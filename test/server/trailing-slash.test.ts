/**
 * Routes are not matched with a trailing slash (`POST /v1/workflows/` is no route), and the 404
 * said only `Route POST /v1/workflows/ not found`, so the slash was easy to miss; the message now
 * says where the route is. A path unknown with or without the slash says nothing more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, envelope, setup } from './helpers.js';

afterEach(closeAll);

describe('a path with a trailing slash', () => {
  it('answers 404 saying where the route is, without the slash', async () => {
    const f = await setup();
    const res = await f.call({ method: 'POST', url: '/v1/workflows/', payload: { id: 'w', steps: [] } });
    expect(res.statusCode).toBe(404);
    expect(envelope(res)).toEqual({
      code: 'NOT_FOUND',
      message:
        'Route POST /v1/workflows/ not found (a route is at /v1/workflows, without the trailing slash)',
    });
    const twice = await f.call({ url: '/v1/executions//?limit=1' });
    expect(envelope(twice).message).toBe(
      'Route GET /v1/executions// not found (a route is at /v1/executions, without the trailing slash)',
    );
  });

  it('answers 404 where the slash leaves a path parameter empty, not a 400 about the parameter', async () => {
    const f = await setup();
    for (const url of ['/v1/workflows/', '/v1/executions/']) {
      const res = await f.call({ url });
      expect(res.statusCode).toBe(404);
      expect(envelope(res)).toEqual({
        code: 'NOT_FOUND',
        message: `Route GET ${url} not found (a route is at ${url.slice(0, -1)}, without the trailing slash)`,
      });
    }
    const cancel = await f.call({ method: 'POST', url: '/v1/executions//cancel' });
    expect(cancel.statusCode).toBe(404);
    expect(envelope(cancel)).toEqual({
      code: 'NOT_FOUND',
      message: 'Route POST /v1/executions//cancel not found',
    });
    // The token is still checked first, as for any /v1 path.
    const anonymous = await f.app.inject({ url: '/v1/workflows/' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('says nothing more when the path without it is unknown too', async () => {
    const f = await setup();
    expect(envelope(await f.call({ url: '/v1/nope/' })).message).toBe('Route GET /v1/nope/ not found');
    expect((await f.call({ url: '/v1/workflows' })).statusCode).toBe(200);
  });
});
