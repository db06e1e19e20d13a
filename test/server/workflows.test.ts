/**
 * Workflow routes: define (201, versions, 400 with issue paths, 413, 415, bad JSON), list, get
 * (latest, `?version=`, 404), and starting executions (202, idempotency, 404, 409, 400).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, envelope, setup, start } from './helpers.js';

afterEach(closeAll);

describe('POST /v1/workflows', () => {
  it('defines a workflow: 201 with the stored definition and a Location header', async () => {
    const f = await setup();
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { id: 'hello', steps: [{ name: 'greet' }] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/v1/workflows/hello?version=1');
    const body = res.json();
    expect(body).toMatchObject({ id: 'hello', version: 1, steps: [{ name: 'greet' }], options: {} });
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
  });

  it('round-trips every step kind and bumps the version only when the steps change', async () => {
    const f = await setup();
    const steps = [
      { name: 'reserve', compensation: 'release', timeout: 5, retry: { maxAttempts: 2, initialDelay: 0.5 } },
      // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
      { name: 'check', condition: 'result.reserved == true', then: 'fanout', else: 'greet' },
      {
        name: 'fanout',
        parallel: [
          { name: 'a', action: 'greet' },
          { name: 'b', action: 'greet', retry: true },
        ],
      },
      { name: 'greet', input: "{'name': 'x'}" },
    ];
    const first = await define(f, 'saga', steps);
    expect(first).toMatchObject({ version: 1, steps });
    expect((await define(f, 'saga', steps)).version).toBe(1);
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { id: 'saga', steps: [{ name: 'greet' }], options: { timeout: 60, description: 'v2' } },
    });
    expect(res.json()).toMatchObject({ version: 2, options: { timeout: 60, description: 'v2' } });
  });

  it('answers 400 naming every problem with its path, and stores nothing', async () => {
    const f = await setup();
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: {
        id: 'bad',
        steps: [
          { name: 'a', timeout: -1 },
          { name: 'a' },
          // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
          { name: 'c', condition: 'true', then: 'nowhere' },
          { name: 'd', retyr: true },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    const error = envelope(res);
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/steps\[0\]\.timeout/);
    expect(error.message).toMatch(/steps\[1\]\.name.*duplicate|duplicate.*steps\[1\]/i);
    expect(error.message).toMatch(/steps\[2\]\.then: unknown step 'nowhere'/);
    expect(error.message).toMatch(/steps\[3\]\.retyr/);
    expect(f.orch.workflowEngine.listWorkflows()).toEqual([]);
  });

  it('answers 400 naming where in an expression its syntax error is, and the character', async () => {
    const f = await setup();
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: {
        id: 'typo',
        steps: [
          { name: 'a', input: "{'n': input.n >}" },
          // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
          { name: 'check', condition: "result.ok ==\n  '😀' && input.n\u00a0> 1", then: 'a' },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    const error = envelope(res);
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain(
      "steps[0].input: Invalid expression '{'n': input.n >}': Unexpected token: RBRACE at column 16",
    );
    // The echo shows the no-break space as a space: only its code point tells it apart.
    expect(error.message).toContain(
      "steps[1].condition: Invalid expression 'result.ok == '😀' && input.n > 1': unexpected character U+00A0 (no-break space) at line 2, column 17",
    );
    expect(f.orch.workflowEngine.listWorkflows()).toEqual([]);
  });

  it('answers 400 for a body that is not a definition object', async () => {
    const f = await setup();
    const cases: Array<[unknown, RegExp]> = [
      [{ steps: [{ name: 'greet' }] }, /id/],
      [{ id: 'x' }, /steps/],
      [{ id: 'x', steps: [{ name: 'greet' }], extra: 1 }, /body\.extra: unknown key 'extra'/],
      [[{ id: 'x' }], /body/],
      ['just a string', /body/],
      [{ id: 'bad id!', steps: [{ name: 'greet' }] }, /^Invalid workflow definition.*id:/],
    ];
    for (const [payload, pattern] of cases) {
      const res = await f.call({
        method: 'POST',
        url: '/v1/workflows',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(envelope(res).message).toMatch(pattern);
    }
    const empty = await f.call({ method: 'POST', url: '/v1/workflows' });
    expect(empty.statusCode).toBe(400);
  });

  it('answers 400 for malformed JSON and prototype-poisoning keys, without echoing the body', async () => {
    const f = await setup();
    for (const [payload, message] of [
      [
        '{"id": "x", steps: ]',
        'Request body is not valid JSON: expected double-quoted property name at line 1, column 13',
      ],
      [
        '{"__proto__": {"admin": true}, "id": "x", "steps": []}',
        "Invalid request: body: has the key '__proto__' (refused: it could alter objects the body is copied into)",
      ],
      [
        '{"id": "x", "steps": [{"name": "a", "action": "greet"}, {"name": "b", "input": {"__proto__": 1}}]}',
        "Invalid request: body.steps[1].input: has the key '__proto__' (refused: it could alter objects the body is copied into)",
      ],
      [
        '{"id": "x", "steps": [], "options": {"constructor": {"prototype": {}}}}',
        "Invalid request: body.options.constructor: has the key 'prototype' (refused: it could alter objects the body is copied into)",
      ],
    ]) {
      const res = await f.call({
        method: 'POST',
        url: '/v1/workflows',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(envelope(res)).toEqual({ code: 'VALIDATION', message });
    }
  });

  it('answers 413 above the body limit and 415 for non-JSON bodies', async () => {
    const f = await setup({ app: { bodyLimit: 1024 } });
    const big = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { id: 'big', steps: [{ name: 'greet', input: `'${'x'.repeat(2000)}'` }] },
    });
    expect(big.statusCode).toBe(413);
    expect(envelope(big)).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body is larger than the limit of 1024 bytes',
    });
    const text = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      headers: { 'content-type': 'text/plain' },
      payload: 'id=x',
    });
    expect(text.statusCode).toBe(415);
    expect(envelope(text).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 503 CLOSED once the orchestrator is closed', async () => {
    const f = await setup();
    await f.orch.close();
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { id: 'x', steps: [{ name: 'greet' }] },
    });
    expect(res.statusCode).toBe(503);
    expect(envelope(res)).toEqual({ code: 'CLOSED', message: 'The orchestrator is closed' });
  });
});

describe('GET /v1/workflows', () => {
  it('lists the latest version of each workflow and gets one by id and version', async () => {
    const f = await setup();
    await define(f, 'one', [{ name: 'greet' }]);
    await define(f, 'two', [{ name: 'greet' }]);
    await define(f, 'two', [{ name: 'greet' }, { name: 'reserve' }]);
    const list = await f.call({ url: '/v1/workflows' });
    expect(list.statusCode).toBe(200);
    const workflows = (list.json() as { workflows: Array<{ id: string; version: number }> }).workflows;
    expect(workflows.map((w) => [w.id, w.version]).sort()).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
    expect((await f.call({ url: '/v1/workflows/two' })).json()).toMatchObject({ version: 2 });
    expect((await f.call({ url: '/v1/workflows/two?version=' })).json()).toMatchObject({ version: 2 });
    expect((await f.call({ url: '/v1/workflows/two?version=1' })).json()).toMatchObject({
      version: 1,
      steps: [{ name: 'greet' }],
    });
  });

  it('answers 404 for an unknown workflow or version and 400 for a bad version', async () => {
    const f = await setup();
    await define(f, 'one', [{ name: 'greet' }]);
    const unknown = await f.call({ url: '/v1/workflows/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(envelope(unknown)).toEqual({
      code: 'WORKFLOW_NOT_FOUND',
      message: "Workflow 'nope' is not defined",
    });
    // A misspelt id names the defined workflow it most likely stood for, here and when executed.
    await define(f, 'user-registration', [{ name: 'greet' }]);
    const typo = await f.call({ url: '/v1/workflows/user-registraton' });
    expect(typo.statusCode).toBe(404);
    expect(envelope(typo).message).toBe(
      "Workflow 'user-registraton' is not defined (did you mean 'user-registration'?)",
    );
    const run = await f.call({
      method: 'POST',
      url: '/v1/workflows/user-registraton/executions',
      payload: {},
    });
    expect(run.statusCode).toBe(404);
    expect(envelope(run)).toEqual(envelope(typo));
    const version = await f.call({ url: '/v1/workflows/one?version=9' });
    expect(version.statusCode).toBe(404);
    expect(envelope(version).message).toBe("Workflow 'one' has no version 9");
    const bad = await f.call({ url: '/v1/workflows/one?version=zero' });
    expect(bad.statusCode).toBe(400);
    expect(envelope(bad).message).toMatch(/query\.version/);
    // Number() would read '0x1' and '1e0' as version 1.
    for (const odd of ['0x1', '1e0', '%201']) {
      const res = await f.call({ url: `/v1/workflows/one?version=${odd}` });
      expect(res.statusCode, odd).toBe(400);
      expect(envelope(res).message).toMatch(/query\.version: expected a whole number in decimal digits/);
    }
  });
});

describe('POST /v1/workflows/:id/executions', () => {
  it('starts an execution: 202 { id } with a Location header, with or without a body', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows/hello/executions',
      payload: { input: { name: 'Ada' } },
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as { id: string };
    expect(res.headers.location).toBe(`/v1/executions/${id}`);
    const status = await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.outputData).toEqual({ greet: { hello: 'Ada' } });
    const bare = await f.call({ method: 'POST', url: '/v1/workflows/hello/executions' });
    expect(bare.statusCode).toBe(202);
    const emptyJson = await f.call({
      method: 'POST',
      url: '/v1/workflows/hello/executions',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(emptyJson.statusCode).toBe(202);
    const bareStatus = await f.orch.workflowEngine.waitForCompletion((bare.json() as { id: string }).id);
    expect(bareStatus.inputData).toEqual({});
  });

  it('returns the same id for the same idempotency key, and 409 when the key belongs to another workflow', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    await define(f, 'other', [{ name: 'greet' }]);
    const first = await start(f, 'hello', { idempotencyKey: 'order-42' });
    expect(await start(f, 'hello', { idempotencyKey: 'order-42', input: { name: 'B' } })).toBe(first);
    const clash = await f.call({
      method: 'POST',
      url: '/v1/workflows/other/executions',
      payload: { idempotencyKey: 'order-42' },
    });
    expect(clash.statusCode).toBe(409);
    expect(envelope(clash)).toEqual({
      code: 'CONFLICT',
      message: `Idempotency key is already used by execution '${first}' of workflow 'hello'`,
    });
  });

  it('answers 400 for an idempotency key with a NUL or an unpaired surrogate', async () => {
    // PostgreSQL cannot store a NUL (the request answered 500) and stores an unpaired surrogate
    // as U+FFFD, so two different keys named one execution: such keys are refused everywhere.
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const cases: Array<[string, RegExp]> = [
      ['{"idempotencyKey":"order\\u0000"}', /idempotencyKey: cannot be stored as given: it contains U\+0000/],
      ['{"idempotencyKey":"order\\ud800"}', /idempotencyKey: .*unpaired surrogate \(U\+D800\)/],
      ['{"idempotencyKey":"\\udc00order"}', /idempotencyKey: .*unpaired surrogate \(U\+DC00\)/],
    ];
    for (const [payload, message] of cases) {
      const res = await f.call({
        method: 'POST',
        url: '/v1/workflows/hello/executions',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode, payload).toBe(400);
      expect(envelope(res)).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(message) });
    }
    // A well-formed key with characters outside the BMP is fine.
    const emoji = await start(f, 'hello', { idempotencyKey: 'order-😀' });
    expect(await start(f, 'hello', { idempotencyKey: 'order-😀' })).toBe(emoji);
    expect(await f.orch.workflowEngine.listExecutions()).toHaveLength(1);
  });

  it('answers 404 for an unknown workflow and 400 for bad bodies or inputs', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const unknown = await f.call({ method: 'POST', url: '/v1/workflows/nope/executions', payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(envelope(unknown).code).toBe('WORKFLOW_NOT_FOUND');
    const cases: Array<[unknown, RegExp]> = [
      [{ idempotencyKey: '' }, /body\.idempotencyKey/],
      [{ idempotencyKey: 'k'.repeat(257) }, /body\.idempotencyKey/],
      [{ idempotencyKey: 7 }, /body\.idempotencyKey/],
      [{ inputs: {} }, /body\.inputs: unknown key 'inputs' \(did you mean 'input'\?\)/],
      [[1, 2], /body/],
    ];
    for (const [payload, pattern] of cases) {
      const res = await f.call({
        method: 'POST',
        url: '/v1/workflows/hello/executions',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(envelope(res).message).toMatch(pattern);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const tooDeep = await f.call({
      method: 'POST',
      url: '/v1/workflows/hello/executions',
      payload: { input: deep },
    });
    expect(tooDeep.statusCode).toBe(400);
    expect(envelope(tooDeep).message).toMatch(/^Invalid request: body\.input\[0\].*nested deeper/);
    const badId = await f.call({ method: 'POST', url: '/v1/workflows/bad$id/executions', payload: {} });
    expect(badId.statusCode).toBe(400);
    expect(envelope(badId).message).toMatch(/path\.id/);
    expect(await f.orch.workflowEngine.countExecutions()).toBe(0);
  });
});

describe('long and malformed path parameters', () => {
  it('serves a workflow whose id has the longest allowed length (128 characters)', async () => {
    const f = await setup();
    const id = 'w'.repeat(128);
    await define(f, id, [{ name: 'greet' }]);
    const got = await f.call({ url: `/v1/workflows/${id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json().id).toBe(id);
    const started = await f.call({ method: 'POST', url: `/v1/workflows/${id}/executions`, payload: {} });
    expect(started.statusCode).toBe(202);
  });

  it('answers an over-long id with 400 and the envelope, naming the parameter', async () => {
    const f = await setup();
    const res = await f.call({ url: `/v1/workflows/${'w'.repeat(129)}` });
    expect(res.statusCode).toBe(400);
    expect(envelope(res)).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('path.id') });
    const huge = await f.call({ url: `/v1/executions/${'e'.repeat(10_000)}` });
    expect(huge.statusCode).toBe(414);
    expect(envelope(huge).code).toBe('URI_TOO_LONG');
  });

  it('answers a malformed percent-encoding with 400 and the envelope', async () => {
    const f = await setup();
    const res = await f.call({ url: '/v1/executions/%' });
    expect(res.statusCode).toBe(400);
    expect(envelope(res)).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('URL') });
  });
});
