/**
 * `GET /v1/workflows/` and `GET /v1/executions/` were read as `/v1/workflows/:id` and
 * `/v1/executions/:id` with an empty id, and answered 400 'Invalid request: path.id: expected a
 * workflow id ..., got ""', with no word of the slash; other paths with one answer the 404 that
 * says where the route is. These now answer that 404 too: an empty path segment names nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, envelope, setup, start } from './helpers.js';

afterEach(closeAll);

describe('a collection asked with a trailing slash', () => {
  it('answers 404 saying the route is at the path without the slash', async () => {
    const f = await setup();
    for (const path of ['/v1/workflows/', '/v1/executions/']) {
      const res = await f.call({ url: path });
      expect(res.statusCode, path).toBe(404);
      expect(envelope(res)).toEqual({
        code: 'NOT_FOUND',
        message: `Route GET ${path} not found (a route is at ${path.slice(0, -1)}, without the trailing slash)`,
      });
    }
    const query = await f.call({ url: '/v1/executions/?limit=2' });
    expect(envelope(query).message).toBe(
      'Route GET /v1/executions/ not found (a route is at /v1/executions, without the trailing slash)',
    );
  });

  it('answers an empty id inside a path 404 as an unknown path', async () => {
    const f = await setup();
    const res = await f.call({ method: 'POST', url: '/v1/executions//cancel' });
    expect(res.statusCode).toBe(404);
    expect(envelope(res)).toEqual({
      code: 'NOT_FOUND',
      message: 'Route POST /v1/executions//cancel not found',
    });
  });

  it('still wants the token, and still serves the collection and its items', async () => {
    const f = await setup();
    expect((await f.app.inject({ url: '/v1/workflows/' })).statusCode).toBe(401);
    await define(f, 'hello', [{ name: 'greet' }]);
    const id = await start(f, 'hello');
    expect((await f.call({ url: '/v1/workflows' })).statusCode).toBe(200);
    expect((await f.call({ url: '/v1/workflows/hello' })).statusCode).toBe(200);
    expect((await f.call({ url: `/v1/executions/${id}` })).statusCode).toBe(200);
    // A bad id that is not empty keeps its 400.
    expect((await f.call({ url: '/v1/workflows/%20' })).statusCode).toBe(400);
  });
});
