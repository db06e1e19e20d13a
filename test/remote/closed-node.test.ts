/**
 * Once the orchestrator is closed, registering answers 503 `CLOSED`; a worker it no longer knows
 * (its registration ran out after the close, or the hub was closed and dropped every worker) got
 * a 404 "register again" for its poll, heartbeat and reports instead, and registering again got
 * the 503. It is now told the same thing everywhere: 503 `CLOSED` (back off; the node is
 * shutting down or gone), never that it should register again with a node that refuses it. Its
 * deregistration (`DELETE`) still answered 404 NOT_FOUND; it now answers the same 503 `CLOSED`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { remoteWorkerHubFor } from '../../src/remote/hub.js';
import { closeAll, type Fixture, setup } from '../server/helpers.js';

afterEach(closeAll);

async function registered(): Promise<{
  f: Fixture;
  clock: FakeClock;
  workerId: string;
  leaseSeconds: number;
}> {
  const clock = new FakeClock();
  const f = await setup({ orchestrator: { clock } });
  const reg = await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['job'] } });
  expect(reg.statusCode).toBe(201);
  return { f, clock, ...(reg.json() as { workerId: string; leaseSeconds: number }) };
}

/** The worker's own requests: poll, the per-task ones (for a task it no longer holds), deregistration. */
function workerRequests(workerId: string): { method: 'POST' | 'DELETE'; url: string; payload?: object }[] {
  const task = `/v1/remote-workers/${workerId}/tasks/rt_gone`;
  return [
    { method: 'POST', url: `/v1/remote-workers/${workerId}/poll`, payload: {} },
    { method: 'POST', url: `/v1/remote-workers/${workerId}/poll`, payload: { waitSeconds: 0 } },
    { method: 'POST', url: `${task}/heartbeat` },
    { method: 'POST', url: `${task}/complete`, payload: { output: 1 } },
    { method: 'POST', url: `${task}/fail`, payload: { error: { message: 'no' } } },
    { method: 'POST', url: `${task}/release` },
    { method: 'DELETE', url: `/v1/remote-workers/${workerId}` },
    { method: 'DELETE', url: `/v1/remote-workers/${workerId}`, payload: {} },
  ];
}

async function expectClosedLikeRegistration(f: Fixture, workerId: string): Promise<void> {
  const register = await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['job'] } });
  expect(register.statusCode).toBe(503);
  for (const request of workerRequests(workerId)) {
    const res = await f.call(request);
    const what = `${request.method} ${request.url}`;
    expect({ what, status: res.statusCode, body: res.json() }).toEqual({
      what,
      status: 503,
      body: register.json(),
    });
  }
}

describe('a remote worker the closed orchestrator no longer knows', () => {
  it('gets 503 CLOSED, as registration does, once its registration ran out after the close', async () => {
    const { f, clock, workerId, leaseSeconds } = await registered();
    await f.orch.close();
    await clock.advance((leaseSeconds + 2) * 1000);
    expect(remoteWorkerHubFor(f.orch).snapshot().workers).toEqual([]);
    await expectClosedLikeRegistration(f, workerId);
  });

  it('gets 503 CLOSED once the hub was closed (every worker dropped)', async () => {
    const { f, workerId } = await registered();
    await f.orch.close();
    remoteWorkerHubFor(f.orch).close();
    await expectClosedLikeRegistration(f, workerId);
  });

  it('still gets 404 while the orchestrator is open: register again', async () => {
    const { f } = await registered();
    const res = await f.call({ method: 'POST', url: '/v1/remote-workers/rw_unknown/poll', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
