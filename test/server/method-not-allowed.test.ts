/**
 * A known path asked with a method it does not serve answers 405 METHOD_NOT_ALLOWED with an
 * `Allow` header listing the methods it does serve (it answered 404 'Route DELETE /v1/workflows
 * not found', as if the path did not exist); an unknown path still answers 404.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/index.js';
import { closeAll, envelope, setup } from './helpers.js';

afterEach(closeAll);

describe('wrong method on a known path', () => {
  it.each([
    ['DELETE', '/v1/workflows', 'GET, HEAD, OPTIONS, POST'],
    ['PUT', '/v1/workflows/wf', 'GET, HEAD, OPTIONS'],
    ['GET', '/v1/workflows/wf/executions', 'OPTIONS, POST'],
    ['GET', '/v1/executions/abc/cancel', 'OPTIONS, POST'],
    ['DELETE', '/v1/executions/abc', 'GET, HEAD, OPTIONS'],
    ['POST', '/v1/metrics', 'GET, HEAD, OPTIONS'],
    ['GET', '/v1/remote-workers/w1/tasks/t1/complete', 'OPTIONS, POST'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ['POST', '/metrics', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/openapi.json', 'GET, HEAD, OPTIONS'],
  ])('%s %s answers 405 with Allow: %s', async (method, url, allow) => {
    const f = await setup();
    const res = await f.call({ method: method as 'GET', url });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe(allow);
    const error = envelope(res);
    expect(error.code).toBe('METHOD_NOT_ALLOWED');
    expect(error.message).toBe(`Method ${method} is not allowed on ${url.split('?')[0]}; allowed: ${allow}`);
  });

  it('answers 405 for the dashboard pages too', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const res = await f.call({ method: 'DELETE', url: '/login' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
  });

  it('still answers 404 for an unknown path, and 401 before 405 without a token on /v1', async () => {
    const f = await setup();
    const unknown = await f.call({ method: 'GET', url: '/v1/bogus' });
    expect(unknown.statusCode).toBe(404);
    expect(envelope(unknown).code).toBe('NOT_FOUND');
    const nested = await f.call({ method: 'POST', url: '/v1/workflows/a/b/c' });
    expect(nested.statusCode).toBe(404);
    const anonymous = await f.app.inject({ method: 'DELETE', url: '/v1/workflows' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('says that a method a path does not serve answers 405 with Allow', async () => {
    const f = await setup();
    const doc = (await f.call({ method: 'GET', url: '/openapi.json' })).json() as {
      info: { description: string };
    };
    expect(doc.info.description).toMatch(/405 `METHOD_NOT_ALLOWED` with an `Allow` header/);
  });
});
