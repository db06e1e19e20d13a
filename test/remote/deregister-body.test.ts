/**
 * `DELETE /v1/remote-workers/:workerId` takes no body (docs/remote-workers.md), like heartbeat and
 * release: one other than none or `{}` answers 400 VALIDATION and deregisters nothing. It used to
 * deregister whatever came (`{ "drain": true }`, `[]`, `"x"`), as if an option had been taken.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, envelope, type Fixture, setup } from '../server/helpers.js';

afterEach(closeAll);

async function register(f: Fixture): Promise<string> {
  const res = await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['rx'] } });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { workerId: string }).workerId;
}

async function registered(f: Fixture): Promise<string[]> {
  const res = await f.call({ method: 'GET', url: '/v1/remote-workers' });
  return (res.json() as { workers: { id: string }[] }).workers.map((w) => w.id);
}

describe('DELETE /v1/remote-workers/:workerId with a body', () => {
  it.each([
    ['an option', '{"drain":true}', "body.drain: unknown key 'drain'"],
    ['an array', '[]', 'body: expected an object, got an array'],
    ['a string', '"x"', 'body: expected an object, got "x"'],
  ])('refuses %s (400) and keeps the worker', async (_what, payload, message) => {
    const f = await setup();
    const workerId = await register(f);
    const res = await f.call({
      method: 'DELETE',
      url: `/v1/remote-workers/${workerId}`,
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(envelope(res)).toEqual({ code: 'VALIDATION', message: `Invalid request: ${message}` });
    expect(await registered(f)).toEqual([workerId]);
  });

  it('deregisters with no body or {}', async () => {
    const f = await setup();
    const a = await register(f);
    const b = await register(f);
    expect((await f.call({ method: 'DELETE', url: `/v1/remote-workers/${a}` })).statusCode).toBe(204);
    const withEmpty = await f.call({ method: 'DELETE', url: `/v1/remote-workers/${b}`, payload: {} });
    expect(withEmpty.statusCode).toBe(204);
    expect(await registered(f)).toEqual([]);
  });
});
