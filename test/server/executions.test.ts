/**
 * Execution routes: status with ISO dates (completed, failed, compensated), listing with
 * filters and pagination (400 on bad queries), cancellation (true, false, 404).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, envelope, setup, start, until } from './helpers.js';

afterEach(closeAll);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('GET /v1/executions/:id', () => {
  it('returns ExecutionStatus with dates as ISO strings', async () => {
    const f = await setup();
    await define(f, 'hello', [
      { name: 'greet' },
      { name: 'again', action: 'greet', input: "{'name': 'Bob'}" },
    ]);
    const id = await start(f, 'hello', { input: { name: 'Ada' }, idempotencyKey: 'k1' });
    await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const res = await f.call({ url: `/v1/executions/${id}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      id,
      workflowId: 'hello',
      workflowVersion: 1,
      status: 'completed',
      stepsCompleted: 2,
      totalSteps: 2,
      inputData: { name: 'Ada' },
      outputData: { greet: { hello: 'Ada' }, again: { hello: 'Bob' } },
      compensatedSteps: [],
      workerId: 'worker_1',
      idempotencyKey: 'k1',
    });
    expect(body.startedAt).toMatch(ISO);
    expect(body.completedAt).toMatch(ISO);
    expect(body.steps[0]).toMatchObject({ name: 'greet', status: 'completed', attempts: 1 });
    expect(body.steps[0].startedAt).toMatch(ISO);
    expect(body.steps[0].history[0].startedAt).toMatch(ISO);
  });

  it('shows a failed execution with its error and the compensated steps', async () => {
    const f = await setup();
    await define(f, 'saga', [
      { name: 'reserve', compensation: 'release' },
      {
        name: 'fanout',
        parallel: [
          { name: 'a', action: 'greet' },
          { name: 'b', action: 'greet' },
        ],
      },
      { name: 'charge', action: 'fail' },
    ]);
    const id = await start(f, 'saga');
    await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const body = (await f.call({ url: `/v1/executions/${id}` })).json();
    expect(body).toMatchObject({
      status: 'failed',
      error: { code: 'STEP_FAILED', message: 'boom', step: 'charge' },
      compensatedSteps: ['reserve'],
    });
    expect(body.steps[0].compensation).toMatchObject({ status: 'completed' });
    expect(body.steps[0].compensation.completedAt).toMatch(ISO);
    expect(body.steps[1].branches.map((b: { name: string }) => b.name)).toEqual(['a', 'b']);
  });

  it("shows the compensations of a looped step's earlier visits, with ISO dates", async () => {
    let visits = 0;
    const f = await setup({ orchestrator: { actions: { count: () => ({ n: ++visits }) } } });
    await define(f, 'loop', [
      { name: 'count', compensation: 'release' },
      // biome-ignore lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
      { name: 'again', condition: 'steps.count.output.n < 2', then: 'count' },
      { name: 'charge', action: 'fail' },
    ]);
    const id = await start(f, 'loop');
    await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const body = (await f.call({ url: `/v1/executions/${id}` })).json();
    expect(body.compensatedSteps).toEqual(['count', 'count']);
    expect(body.steps[0].earlierCompensations).toMatchObject([
      { visit: 1, status: 'completed', attempts: 1 },
    ]);
    expect(body.steps[0].earlierCompensations[0].completedAt).toMatch(ISO);
  });

  it('answers 404 for an unknown execution', async () => {
    const f = await setup();
    const res = await f.call({ url: '/v1/executions/exec_missing' });
    expect(res.statusCode).toBe(404);
    expect(envelope(res)).toEqual({
      code: 'EXECUTION_NOT_FOUND',
      message: "Execution 'exec_missing' does not exist",
    });
  });
});

describe('GET /v1/executions', () => {
  it('lists newest first with filters, pagination and a total', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    await define(f, 'broken', [{ name: 'fail' }]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await start(f, 'hello'));
    const failed = await start(f, 'broken');
    for (const id of [...ids, failed]) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });

    const all = (await f.call({ url: '/v1/executions' })).json();
    expect(all).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect(all.executions.map((e: { id: string }) => e.id)).toEqual([failed, ...ids.reverse()]);

    const page = (await f.call({ url: '/v1/executions?workflowId=hello&limit=2&offset=1' })).json();
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.executions.map((e: { id: string }) => e.id)).toEqual(ids.slice(1, 3));

    const onlyFailed = (await f.call({ url: '/v1/executions?status=failed' })).json();
    expect(onlyFailed.total).toBe(1);
    expect(onlyFailed.executions[0]).toMatchObject({ id: failed, status: 'failed' });
  });

  it('treats empty query values as no filter and the default page (as SPEC §7 and HTML forms write them)', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    await define(f, 'broken', [{ name: 'fail' }]);
    const ok = await start(f, 'hello');
    const failed = await start(f, 'broken');
    for (const id of [ok, failed]) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });

    for (const query of [
      'status=&workflowId=&limit=',
      'status=&workflowId=&limit=&offset=',
      'status=',
      'limit=',
    ]) {
      const res = await f.call({ url: `/v1/executions?${query}` });
      expect(res.statusCode, query).toBe(200);
      expect(res.json(), query).toMatchObject({ total: 2, limit: 50, offset: 0 });
    }
    const filtered = (await f.call({ url: '/v1/executions?status=failed&workflowId=&limit=' })).json();
    expect(filtered).toMatchObject({ total: 1, limit: 50 });
    expect(filtered.executions[0]).toMatchObject({ id: failed });
  });

  it('answers 400 for bad filters', async () => {
    const f = await setup();
    for (const [query, pattern] of [
      ['status=done', /query\.status/],
      ['limit=0', /query\.limit/],
      ['limit=5000', /query\.limit/],
      ['limit=abc', /query\.limit/],
      ['offset=-1', /query\.offset/],
      // Number() would read these as 16, 1000, 10 and 0: only decimal digits are a count.
      ['limit=0x10', /query\.limit: expected a whole number in decimal digits, got "0x10"/],
      ['limit=1e3', /query\.limit/],
      ['limit=%2010', /query\.limit/],
      ['offset=%20', /query\.offset/],
      ['offset=0b1', /query\.offset/],
      ['workflowId=has space', /query\.workflowId/],
      ['wokflowId=x', /query\.wokflowId: unknown key 'wokflowId' \(did you mean 'workflowId'\?\)/],
      ['before=nope', /query\.before: expected an execution id/],
      ['before=exec_123', /query\.before: expected an execution id/],
      // Cut as every repeated value is (echo): before, at 64, the emoji's first half alone, '\ud83d'.
      [
        `before=${'x'.repeat(63)}${encodeURIComponent('😀')}`,
        new RegExp(
          `query\\.before: expected an execution id .*, got "${'x'.repeat(63)}…" \\(65 characters\\)$`,
        ),
      ],
      ['before=exec_00mik5q5c0001a1b2c3d4e5&offset=2', /offset: expected no offset \(or 0\) with before/],
    ] as const) {
      const res = await f.call({ url: `/v1/executions?${query}` });
      expect(res.statusCode, query).toBe(400);
      const error = envelope(res);
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(pattern);
    }
  });
});

describe('repeated query parameters', () => {
  it('answers 400 naming a parameter given more than once, on every route with a query', async () => {
    // Before: `?limit=1&limit=2` answered "expected number, received NaN" and
    // `?status=running&status=failed` "expected one of ...", as if the values were bad.
    const f = await setup();
    await define(f, 'wf', [{ name: 'greet' }]);
    for (const url of [
      '/v1/executions?limit=1&limit=2',
      '/v1/executions?status=running&status=failed',
      '/v1/executions?workflowId=wf&workflowId=wf',
      '/v1/workflows/wf?version=1&version=1',
      '/v1/metrics?workflowId=wf&workflowId=wf',
    ]) {
      const res = await f.call({ url });
      expect(res.statusCode, url).toBe(400);
      const name = /\?(\w+)=/.exec(url)?.[1];
      expect(envelope(res), url).toEqual({
        code: 'VALIDATION',
        message: `Invalid request: query.${name}: given more than once; give it once`,
      });
    }
  });

  it('names a parameter the route does not take as unknown, not as given more than once', async () => {
    // Before: 'query.foo: given more than once; give it once', and given once it was refused as unknown.
    const f = await setup();
    for (const url of ['/v1/executions?foo=1&foo=2', '/v1/workflows?limit=1&limit=2']) {
      const res = await f.call({ url });
      expect(res.statusCode, url).toBe(400);
      const name = /\?(\w+)=/.exec(url)?.[1];
      expect(envelope(res), url).toEqual({
        code: 'VALIDATION',
        message: `Invalid request: query.${name}: unknown key '${name}'`,
      });
    }
  });
});

describe('POST /v1/executions/:id/cancel', () => {
  it('cancels a running execution, compensating completed steps', async () => {
    const f = await setup();
    await define(f, 'long', [{ name: 'reserve', compensation: 'release' }, { name: 'block' }]);
    const id = await start(f, 'long');
    await until(
      async () => (await f.orch.workflowEngine.getExecutionStatus(id))?.steps[1]?.status === 'running',
    );
    const res = await f.call({ method: 'POST', url: `/v1/executions/${id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ cancelled: true });
    const status = (await f.call({ url: `/v1/executions/${id}` })).json();
    expect(status).toMatchObject({ status: 'cancelled', compensatedSteps: ['reserve'] });
  });

  it('cancels a pending execution', async () => {
    const f = await setup({ orchestrator: { maxConcurrentWorkflows: 1 } });
    await define(f, 'long', [{ name: 'block' }]);
    const running = await start(f, 'long');
    const queued = await start(f, 'long');
    expect((await f.call({ url: `/v1/executions/${queued}` })).json().status).toBe('pending');
    expect((await f.call({ method: 'POST', url: `/v1/executions/${queued}/cancel` })).json()).toEqual({
      cancelled: true,
    });
    expect((await f.call({ method: 'POST', url: `/v1/executions/${running}/cancel` })).json()).toEqual({
      cancelled: true,
    });
  });

  it('answers { cancelled: false } for a finished execution and 404 for an unknown one', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const id = await start(f, 'hello');
    await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const done = await f.call({ method: 'POST', url: `/v1/executions/${id}/cancel` });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ cancelled: false });
    const unknown = await f.call({ method: 'POST', url: '/v1/executions/exec_nope/cancel' });
    expect(unknown.statusCode).toBe(404);
    expect(envelope(unknown).code).toBe('EXECUTION_NOT_FOUND');
  });

  it('takes no options: a body with a key (a reason, a force flag) answers 400 and cancels nothing', async () => {
    const f = await setup();
    await define(f, 'long', [{ name: 'block' }]);
    const id = await start(f, 'long');
    for (const payload of [{ reason: 'duplicate order' }, [], { force: true }]) {
      const res = await f.call({ method: 'POST', url: `/v1/executions/${id}/cancel`, payload });
      expect(res.statusCode).toBe(400);
      expect(envelope(res).code).toBe('VALIDATION');
    }
    expect((await f.call({ url: `/v1/executions/${id}` })).json().status).toBe('running');
    const empty = await f.call({ method: 'POST', url: `/v1/executions/${id}/cancel`, payload: {} });
    expect(empty.json()).toEqual({ cancelled: true });
  });
});

describe('POST /v1/workflows/:id/executions with an Idempotency-Key header', () => {
  it('takes the key from the header as from the body, and refuses the two when they differ', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const post = (headers: Record<string, string>, body: unknown) =>
      f.call({ method: 'POST', url: '/v1/workflows/hello/executions', headers, payload: body as object });
    const first = await post({ 'idempotency-key': 'order-7' }, { input: { name: 'Ada' } });
    expect(first.statusCode).toBe(202);
    const again = await post({ 'idempotency-key': 'order-7' }, { input: { name: 'Ada' } });
    expect(again.json().id).toBe(first.json().id);
    const viaBody = await post({}, { idempotencyKey: 'order-7' });
    expect(viaBody.json().id).toBe(first.json().id);
    const same = await post({ 'idempotency-key': 'order-7' }, { idempotencyKey: 'order-7' });
    expect(same.json().id).toBe(first.json().id);
    const differ = await post({ 'idempotency-key': 'order-8' }, { idempotencyKey: 'order-7' });
    expect(differ.statusCode).toBe(400);
    expect(envelope(differ).message).toContain('the body field and the Idempotency-Key header differ');
    const tooLong = await post({ 'idempotency-key': 'k'.repeat(257) }, {});
    expect(tooLong.statusCode).toBe(400);
    expect(await f.orch.workflowEngine.countExecutions({ workflowId: 'hello' })).toBe(1);
  });

  it('refuses the header given twice, or with bytes other than visible ASCII, which it would mangle', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const post = (key: string | string[]) =>
      f.call({
        method: 'POST',
        url: '/v1/workflows/hello/executions',
        headers: { 'idempotency-key': key },
        payload: {},
      });
    // Node joins two such headers into one 'order-7, order-8' key: neither of those sent.
    for (const twice of [
      ['order-7', 'order-8'],
      ['order-7', 'order-7'],
    ]) {
      const res = await post(twice);
      expect(res.statusCode).toBe(400);
      expect(envelope(res).message).toBe(
        'Invalid request: headers.idempotency-key: given more than once; give it once',
      );
    }
    // Header bytes are read as Latin-1: a UTF-8 'été' would become the key 'Ã©tÃ©'.
    const utf8 = await post(Buffer.from('\u00e9t\u00e9', 'utf8').toString('latin1'));
    expect(utf8.statusCode).toBe(400);
    expect(envelope(utf8).message).toMatch(
      /^Invalid request: headers\.idempotency-key: must be printable ASCII characters/,
    );
    expect(await f.orch.workflowEngine.countExecutions()).toBe(0);
    expect((await post('order 7, retry')).statusCode).toBe(202);
  });
});

describe('POST /v1/workflows/:id/executions retried with a key already used', () => {
  it('answers 202 with the existing id where a new execution would be refused (no worker left)', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const post = (key: string) =>
      f.call({ method: 'POST', url: '/v1/workflows/hello/executions', payload: { idempotencyKey: key } });
    const first = await post('order-9');
    expect(first.statusCode).toBe(202);
    const { id } = first.json();
    await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    f.orch.loadBalancer.removeWorker('worker_1');

    const again = await post('order-9');
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ id });
    expect(again.headers.location).toBe(`/v1/executions/${id}`);
    const viaHeader = await f.call({
      method: 'POST',
      url: '/v1/workflows/hello/executions',
      headers: { 'idempotency-key': 'order-9' },
      payload: {},
    });
    expect(viaHeader.statusCode).toBe(202);
    expect(viaHeader.json()).toEqual({ id });
    // A key never used is refused: 503 NO_WORKERS (try again once a worker is back).
    const refused = await post('order-10');
    expect(refused.statusCode).toBe(503);
    expect(envelope(refused)).toEqual({
      code: 'NO_WORKERS',
      message: 'No workers are registered with the load balancer',
    });
    expect(await f.orch.workflowEngine.countExecutions({ workflowId: 'hello' })).toBe(1);
  });
});
