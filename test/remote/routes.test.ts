/**
 * The `/v1/remote-workers` routes through `app.inject()`: the whole task life cycle over HTTP,
 * status codes (201, 200, 204, 400, 401, 404, 409, 413, 415, 503), the default hub wiring, long
 * polls released when the app closes, and the OpenAPI document.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteWorkerHub, remoteWorkerHubFor } from '../../src/index.js';
import { AUTH, closeAll, define, envelope, type Fixture, setup, start, until } from '../server/helpers.js';

afterEach(closeAll);

async function register(f: Fixture, actions: string[] = ['remote_stt'], name?: string): Promise<string> {
  const res = await f.call({
    method: 'POST',
    url: '/v1/remote-workers',
    payload: { actions, ...(name ? { name } : {}) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { workerId: string }).workerId;
}

async function poll(f: Fixture, workerId: string, body: Record<string, unknown> = { waitSeconds: 0 }) {
  return f.call({ method: 'POST', url: `/v1/remote-workers/${workerId}/poll`, payload: body });
}

async function pollTask(f: Fixture, workerId: string): Promise<Record<string, unknown>> {
  return until(async () => {
    const res = await poll(f, workerId);
    return res.statusCode === 200 ? (res.json() as { task: Record<string, unknown> }).task : null;
  });
}

const taskUrl = (workerId: string, taskId: unknown, what: string) =>
  `/v1/remote-workers/${workerId}/tasks/${taskId}/${what}`;

describe('the task life cycle over HTTP', () => {
  it('registers, polls a task, heartbeats, completes it, and the execution completes', async () => {
    const f = await setup();
    const res = await f.call({
      method: 'POST',
      url: '/v1/remote-workers',
      payload: { name: 'py', actions: ['remote_stt'] },
    });
    expect(res.statusCode).toBe(201);
    const reg = res.json() as { workerId: string; leaseSeconds: number; pollSeconds: number };
    expect(reg).toEqual({ workerId: expect.stringMatching(/^rw_/), leaseSeconds: 30, pollSeconds: 20 });
    // buildApp serves the orchestrator's own hub by default.
    expect(
      remoteWorkerHubFor(f.orch)
        .snapshot()
        .workers.map((w) => w.id),
    ).toEqual([reg.workerId]);

    await define(f, 'voice', [{ name: 'stt', action: 'remote_stt', timeout: 30 }]);
    const id = await start(f, 'voice', { input: { audio: 'a.wav' } });
    const task = await pollTask(f, reg.workerId);
    expect(task).toMatchObject({
      action: 'remote_stt',
      executionId: id,
      workflowId: 'voice',
      step: 'stt',
      attempt: 1,
      input: { audio: 'a.wav' },
      idempotencyKey: `${id}:stt`,
    });
    expect(Date.parse(task.deadline as string)).toBeGreaterThan(Date.now());

    const list = (await f.call({ url: '/v1/remote-workers' })).json() as {
      workers: { id: string; name: string; tasks: { taskId: string; leaseUntil: string }[] }[];
      queued: Record<string, number>;
    };
    expect(list.queued).toEqual({});
    expect(list.workers[0]).toMatchObject({ id: reg.workerId, name: 'py', actions: ['remote_stt'] });
    expect(list.workers[0]?.tasks[0]?.taskId).toBe(task.taskId);

    const beat = await f.call({ method: 'POST', url: taskUrl(reg.workerId, task.taskId, 'heartbeat') });
    expect(beat.statusCode).toBe(200);
    expect(beat.json()).toEqual({ cancelled: false });

    const done = await f.call({
      method: 'POST',
      url: taskUrl(reg.workerId, task.taskId, 'complete'),
      payload: { output: { text: 'hi' } },
    });
    expect(done.statusCode).toBe(204);
    expect(done.body).toBe('');
    const status = await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status).toMatchObject({ status: 'completed', outputData: { stt: { text: 'hi' } } });

    const again = await f.call({
      method: 'POST',
      url: taskUrl(reg.workerId, task.taskId, 'complete'),
      payload: { output: 1 },
    });
    expect(again.statusCode).toBe(409);
    expect(envelope(again).code).toBe('CONFLICT');
  });

  it('answers 204 when no task came within the wait', async () => {
    const f = await setup();
    const workerId = await register(f);
    const started = Date.now();
    const res = await poll(f, workerId, { waitSeconds: 0.2 });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    // No body at all means the default wait; waitSeconds 0 answers at once.
    expect((await poll(f, workerId, { waitSeconds: 0 })).statusCode).toBe(204);
  });

  it('fails the step without retries on `retryable: false`, with the reported code', async () => {
    const f = await setup();
    const workerId = await register(f);
    await define(f, 'w', [{ name: 'remote_stt', retry: true }]);
    const id = await start(f, 'w');
    const task = await pollTask(f, workerId);
    const res = await f.call({
      method: 'POST',
      url: taskUrl(workerId, task.taskId, 'fail'),
      payload: { error: { code: 'BAD_AUDIO', message: 'not audio' }, retryable: false },
    });
    expect(res.statusCode).toBe(204);
    const status = await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.error).toEqual({ code: 'BAD_AUDIO', message: 'not audio', step: 'remote_stt' });
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it('refuses (400, naming where) an output that cannot be stored, and keeps the task leased', async () => {
    const f = await setup();
    const workerId = await register(f);
    await define(f, 'w', [{ name: 'remote_stt', retry: true }]);
    const id = await start(f, 'w');
    const task = await pollTask(f, workerId);
    const url = taskUrl(workerId, task.taskId, 'complete');
    const deep = { output: { a: JSON.parse(`${'['.repeat(70)}${']'.repeat(70)}`) } };
    const res = await f.call({ method: 'POST', url, payload: deep });
    expect(res.statusCode).toBe(400);
    expect(envelope(res)).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/output\.a\[0\].*nested deeper than 64 levels/),
    });
    // JSON's 1e400 is Infinity, which no store keeps.
    const huge = await f.call({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: '{"output":{"n":1e400}}',
    });
    expect(huge.statusCode).toBe(400);
    expect(envelope(huge).message).toMatch(/output\.n: expected a finite number/);
    // Nothing changed: the task is still leased to the worker, which reports a storable output.
    expect((await f.call({ method: 'POST', url, payload: { output: 'ok' } })).statusCode).toBe(204);
    const status = await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.outputData).toEqual({ remote_stt: 'ok' });
  });

  it('tells the holder of a cancelled task to stop and refuses its result', async () => {
    const f = await setup();
    const workerId = await register(f);
    await define(f, 'w', [{ name: 'remote_stt' }]);
    const id = await start(f, 'w');
    const task = await pollTask(f, workerId);
    const cancel = await f.call({ method: 'POST', url: `/v1/executions/${id}/cancel` });
    expect(cancel.json()).toEqual({ cancelled: true });
    const beat = await f.call({ method: 'POST', url: taskUrl(workerId, task.taskId, 'heartbeat') });
    expect(beat.json()).toEqual({ cancelled: true });
    const late = await f.call({
      method: 'POST',
      url: taskUrl(workerId, task.taskId, 'complete'),
      payload: { output: 'late' },
    });
    expect(late.statusCode).toBe(409);
    expect(envelope(late).message).toMatch(/cancelled/);
  });

  it('deregisters with DELETE: 204, the held task fails WORKER_LOST, then 404', async () => {
    const f = await setup();
    const workerId = await register(f);
    await define(f, 'w', [{ name: 'remote_stt' }]);
    const id = await start(f, 'w');
    await pollTask(f, workerId);
    const res = await f.call({ method: 'DELETE', url: `/v1/remote-workers/${workerId}` });
    expect(res.statusCode).toBe(204);
    const status = await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.error?.code).toBe('WORKER_LOST');
    const again = await f.call({ method: 'DELETE', url: `/v1/remote-workers/${workerId}` });
    expect(again.statusCode).toBe(404);
  });
});

describe('errors', () => {
  it('needs the bearer token on every route (401)', async () => {
    const f = await setup();
    const workerId = await register(f);
    const routes: [string, string][] = [
      ['POST', '/v1/remote-workers'],
      ['GET', '/v1/remote-workers'],
      ['DELETE', `/v1/remote-workers/${workerId}`],
      ['POST', `/v1/remote-workers/${workerId}/poll`],
      ['POST', taskUrl(workerId, 'rt_x', 'heartbeat')],
      ['POST', taskUrl(workerId, 'rt_x', 'complete')],
      ['POST', taskUrl(workerId, 'rt_x', 'fail')],
    ];
    for (const [method, url] of routes) {
      const res = await f.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: 'Bearer wrong' },
        payload: method === 'POST' ? {} : undefined,
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(envelope(res).code).toBe('UNAUTHORIZED');
    }
    // Nothing happened to the worker.
    expect((await poll(f, workerId)).statusCode).toBe(204);
  });

  it('answers 404 NOT_FOUND for an unknown worker on every worker route', async () => {
    const f = await setup();
    const routes: [string, string, unknown][] = [
      ['POST', '/v1/remote-workers/rw_unknown/poll', { waitSeconds: 0 }],
      ['POST', taskUrl('rw_unknown', 'rt_x', 'heartbeat'), undefined],
      ['POST', taskUrl('rw_unknown', 'rt_x', 'complete'), { output: 1 }],
      ['POST', taskUrl('rw_unknown', 'rt_x', 'fail'), { error: { message: 'x' } }],
      ['DELETE', '/v1/remote-workers/rw_unknown', undefined],
    ];
    for (const [method, url, payload] of routes) {
      const res = await f.call({
        method: method as 'POST',
        url,
        ...(payload ? { payload: payload as object } : {}),
      });
      expect(res.statusCode, url).toBe(404);
      const error = envelope(res);
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toMatch(/register again/);
    }
  });

  it('validates every body (400 VALIDATION naming the field)', async () => {
    const f = await setup();
    const workerId = await register(f);
    const cases: [string, unknown, RegExp][] = [
      ['/v1/remote-workers', {}, /body\.actions/],
      ['/v1/remote-workers', { actions: [] }, /body\.actions/],
      ['/v1/remote-workers', { actions: ['bad name'] }, /body\.actions\[0\]/],
      ['/v1/remote-workers', { actions: ['x'], extra: 1 }, /extra/],
      ['/v1/remote-workers', { actions: ['delay'] }, /built-in/],
      [`/v1/remote-workers/${workerId}/poll`, { waitSeconds: 31 }, /body\.waitSeconds/],
      [`/v1/remote-workers/${workerId}/poll`, { waitSeconds: -1 }, /body\.waitSeconds/],
      [`/v1/remote-workers/${workerId}/poll`, { actions: ['other'] }, /not registered by this worker/],
      [taskUrl(workerId, 'rt_x', 'fail'), {}, /body\.error/],
      [
        taskUrl(workerId, 'rt_x', 'fail'),
        { error: { code: 'has space', message: 'm' } },
        /body\.error\.code/,
      ],
      [taskUrl(workerId, 'rt_x', 'fail'), { error: { message: 'm' }, retryable: 'no' }, /body\.retryable/],
      [taskUrl(workerId, 'rt_x', 'complete'), { result: 1 }, /result/],
      [taskUrl(workerId, 'rt_x', 'heartbeat'), { progress: 1 }, /progress/],
    ];
    for (const [url, payload, message] of cases) {
      const res = await f.call({ method: 'POST', url, payload: payload as object });
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}: ${res.body}`).toBe(400);
      const error = envelope(res);
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(message);
    }
  });

  it('refuses to route an action a local handler serves (409)', async () => {
    const f = await setup();
    const res = await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['greet'] } });
    expect(res.statusCode).toBe(409);
    expect(envelope(res).message).toMatch(/local handler serves 'greet'/);
  });

  it('answers 409 for a task the worker does not hold', async () => {
    const f = await setup();
    const workerId = await register(f);
    const res = await f.call({ method: 'POST', url: taskUrl(workerId, 'rt_nope', 'heartbeat') });
    expect(res.statusCode).toBe(409);
    expect(envelope(res).code).toBe('CONFLICT');
  });

  it('applies the body limit to completions (413)', async () => {
    const f = await setup({ app: { bodyLimit: 1024 } });
    const workerId = await register(f);
    const res = await f.call({
      method: 'POST',
      url: taskUrl(workerId, 'rt_x', 'complete'),
      payload: { output: 'x'.repeat(2000) },
    });
    expect(res.statusCode).toBe(413);
    expect(envelope(res).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 413 and 415 on every route that takes a body, as the protocol reference lists', async () => {
    const f = await setup({ app: { bodyLimit: 1024 } });
    const workerId = await register(f);
    const routes: [method: 'POST' | 'DELETE', url: string][] = [
      ['POST', '/v1/remote-workers'],
      ['POST', `/v1/remote-workers/${workerId}/poll`],
      ...['heartbeat', 'complete', 'fail', 'release'].map((what): ['POST', string] => [
        'POST',
        taskUrl(workerId, 'rt_x', what),
      ]),
      ['DELETE', `/v1/remote-workers/${workerId}`],
    ];
    for (const [method, url] of routes) {
      const big = await f.call({ method, url, payload: { x: 'x'.repeat(2000) } });
      expect([url, big.statusCode, envelope(big).code]).toEqual([url, 413, 'PAYLOAD_TOO_LARGE']);
      const text = await f.call({ method, url, headers: { 'content-type': 'text/plain' }, payload: '{}' });
      expect([url, text.statusCode, envelope(text).code]).toEqual([url, 415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
  });

  it('while the orchestrator drains, hands out a task already queued (its step may still finish), and no other', async () => {
    const f = await setup();
    const workerId = await register(f);
    await define(f, 'voice', [{ name: 'stt', action: 'remote_stt', timeout: 30 }]);
    const id = await start(f, 'voice', { input: { audio: 'a.wav' } });
    await until(async () => (remoteWorkerHubFor(f.orch).snapshot().queued.remote_stt ?? 0) === 1);
    let closed = false;
    const closing = f.orch.close({ grace: 30 }).then(() => {
      closed = true;
    });
    const res = await poll(f, workerId);
    expect(res.statusCode, res.body).toBe(200);
    const task = (res.json() as { task: { taskId: string; executionId: string } }).task;
    expect(task.executionId).toBe(id);
    // Nothing else is queued: the next poll is refused, not held open through the shutdown.
    expect((await poll(f, workerId, { waitSeconds: 20 })).statusCode).toBe(503);
    const done = await f.call({
      method: 'POST',
      url: taskUrl(workerId, task.taskId, 'complete'),
      payload: { output: { text: 'hello' } },
    });
    expect(done.statusCode).toBe(204);
    await closing;
    expect(closed).toBe(true);
    const stored = await f.orch.store.getExecution(id);
    expect(stored?.execution.status).toBe('completed');
  });

  it('refuses registrations and polls once the orchestrator is closing (503)', async () => {
    const f = await setup();
    const workerId = await register(f);
    await f.orch.close();
    const reg = await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['x'] } });
    expect(reg.statusCode).toBe(503);
    expect((await poll(f, workerId)).statusCode).toBe(503);
  });
});

describe('wiring', () => {
  it('serves a given hub, and none with remoteWorkers: false', async () => {
    const hub = new RemoteWorkerHub({ leaseSeconds: 5, pollSeconds: 2 });
    const f = await setup({ app: { remoteWorkers: hub } });
    hub.attach(f.orch.workflowEngine);
    const res = await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['x'] } });
    expect(res.json()).toMatchObject({ leaseSeconds: 5, pollSeconds: 2 });
    expect(hub.snapshot().workers).toHaveLength(1);
    hub.close();

    const off = await setup({ app: { remoteWorkers: false } });
    const none = await off.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['x'] } });
    expect(none.statusCode).toBe(404);
  });

  it('answers waiting long polls (204) as soon as the app closes', async () => {
    const f = await setup();
    const workerId = await register(f);
    const waiting = poll(f, workerId, { waitSeconds: 30 });
    await until(async () => remoteWorkerHubFor(f.orch).snapshot().workers[0]?.polling === 1);
    const started = Date.now();
    await f.app.close();
    const res = await waiting;
    expect(res.statusCode).toBe(204);
    // Not after the poll's 30 s, nor after what a loaded machine adds to answering at once.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('documents every route in the OpenAPI document', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; tags?: string[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    const ops = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/remote-workers'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(ops).toEqual([
      'DELETE /v1/remote-workers/{workerId}',
      'GET /v1/remote-workers',
      'POST /v1/remote-workers',
      'POST /v1/remote-workers/{workerId}/poll',
      'POST /v1/remote-workers/{workerId}/tasks/{taskId}/complete',
      'POST /v1/remote-workers/{workerId}/tasks/{taskId}/fail',
      'POST /v1/remote-workers/{workerId}/tasks/{taskId}/heartbeat',
      'POST /v1/remote-workers/{workerId}/tasks/{taskId}/release',
    ]);
    const pollOp = doc.paths['/v1/remote-workers/{workerId}/poll']?.post;
    expect(Object.keys(pollOp?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '204', '401', '404']),
    );
    expect(doc.components.schemas.RemoteTask).toBeDefined();
    expect(AUTH.authorization).toMatch(/^Bearer /);
  });
});
