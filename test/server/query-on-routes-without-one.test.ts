/**
 * A `/v1` route that takes no query parameters refuses one (400 VALIDATION naming it) instead of
 * ignoring it: `GET /v1/workflows?limit=1` listed every workflow, a poll's `?waitSeconds=0` waited
 * the default 20 s, and `DELETE /v1/remote-workers/:id?dryRun=1` deregistered the worker — while
 * the routes that take a query refuse a key they do not know, and every body its unknown keys.
 * The public probes (`/healthz`, `/metrics`, `/openapi.json`) still ignore a query, and an extra
 * plugin's routes are its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, envelope, type Fixture, setup, start } from './helpers.js';

afterEach(closeAll);

async function register(f: Fixture): Promise<string> {
  const res = await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['rx'] } });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { workerId: string }).workerId;
}

describe('a query on a /v1 route that takes none', () => {
  it('answers 400 VALIDATION naming the parameter, on every such route', async () => {
    const f = await setup();
    await define(f, 'w', [{ name: 's', action: 'greet' }]);
    const id = await start(f, 'w');
    const worker = await register(f);
    const task = `/v1/remote-workers/${worker}/tasks/rt_x`;
    const routes: [string, string, unknown?][] = [
      ['GET', '/v1/workflows?limit=1'],
      ['POST', '/v1/workflows?dryRun=1', { id: 'w2', steps: [{ name: 's', action: 'greet' }] }],
      ['POST', '/v1/workflows/w/executions?idempotencyKey=k', {}],
      ['GET', `/v1/executions/${id}?fields=status`],
      ['POST', `/v1/executions/${id}/cancel?force=1`],
      ['GET', '/v1/workers?node=n1'],
      ['GET', '/v1/alerts?limit=5'],
      ['GET', '/v1/remote-workers?workerId=x'],
      ['POST', '/v1/remote-workers?name=py', { actions: ['ry'] }],
      ['POST', `/v1/remote-workers/${worker}/poll?waitSeconds=0`],
      ['POST', `${task}/heartbeat?x=1`],
      ['POST', `${task}/complete?output=1`],
      ['POST', `${task}/fail?message=m`, { error: { message: 'm' } }],
      ['POST', `${task}/release?x=1`],
      ['DELETE', `/v1/remote-workers/${worker}?dryRun=1`],
    ];
    for (const [method, url, payload] of routes) {
      const res = await f.call({
        method: method as 'GET',
        url,
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(400);
      const name = url.split('?')[1]?.split('=')[0];
      expect(envelope(res)).toEqual({
        code: 'VALIDATION',
        message: `Invalid request: query.${name}: unknown key '${name}'`,
      });
    }
    // Nothing was done: no workflow defined, the execution and the worker are still there.
    expect(f.orch.workflowEngine.listWorkflows().map((d) => d.id)).toEqual(['w']);
    expect((await f.call({ method: 'GET', url: '/v1/remote-workers' })).json()).toMatchObject({
      workers: [{ id: worker }],
    });
  });

  it("leaves an extra plugin's routes alone, under /v1 too", async () => {
    const f = await setup({
      app: {
        plugins: [
          (scope) => {
            scope.get('/v1/extra', async (req) => ({ query: req.query }));
          },
        ],
      },
    });
    const res = await f.call({ method: 'GET', url: '/v1/extra?x=1' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ query: { x: '1' } });
  });

  it('still answers the public probes, whatever their query', async () => {
    const f = await setup();
    for (const url of ['/healthz?probe=1', '/metrics?format=text', '/openapi.json?v=2']) {
      expect((await f.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});
