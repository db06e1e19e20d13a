import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

/** Requests with wrong types, out-of-range numbers and bad enums, one per query, path and body key. */
const PROBES: (InjectOptions & { method: string; url: string })[] = [
  { method: 'GET', url: '/v1/executions?limit=0' },
  { method: 'GET', url: '/v1/executions?limit=1001' },
  { method: 'GET', url: '/v1/executions?status=done' },
  { method: 'GET', url: '/v1/executions?offset=x' },
  { method: 'GET', url: `/v1/executions?workflowId=${'w'.repeat(300)}` },
  { method: 'GET', url: `/v1/executions/${'e'.repeat(300)}` },
  { method: 'POST', url: `/v1/executions/${'e'.repeat(300)}/cancel` },
  { method: 'GET', url: `/v1/metrics?workflowId=${'w'.repeat(300)}` },
  { method: 'GET', url: '/v1/workflows/w?version=0' },
  { method: 'GET', url: '/v1/workflows/.' },
  { method: 'POST', url: '/v1/workflows', payload: [] },
  { method: 'POST', url: '/v1/workflows', payload: { id: 5, steps: 'x' } },
  { method: 'POST', url: '/v1/workflows/w/executions', payload: { idempotencyKey: 5 } },
  { method: 'POST', url: '/v1/workflows/w/executions', payload: { idempotencyKey: '' } },
  { method: 'POST', url: '/v1/workflows/w/executions', payload: { idempotencyKey: 'k'.repeat(300) } },
  {
    method: 'POST',
    url: '/v1/workflows/w/executions',
    payload: '5',
    headers: { 'content-type': 'application/json' },
  },
  { method: 'POST', url: '/v1/remote-workers', payload: { actions: 'a' } },
  { method: 'POST', url: '/v1/remote-workers', payload: { actions: [] } },
  { method: 'POST', url: '/v1/remote-workers', payload: { actions: [5], name: '' } },
  { method: 'POST', url: '/v1/remote-workers', payload: { actions: ['a'], name: 7 } },
  { method: 'POST', url: `/v1/remote-workers/${'w'.repeat(100)}/poll`, payload: {} },
  { method: 'POST', url: '/v1/remote-workers/w/poll', payload: { waitSeconds: 31 } },
  { method: 'POST', url: '/v1/remote-workers/w/poll', payload: { waitSeconds: '3' } },
  { method: 'POST', url: '/v1/remote-workers/w/poll', payload: { actions: 'a' } },
  { method: 'POST', url: '/v1/remote-workers/w/tasks/t/heartbeat', payload: { x: 1 } },
  { method: 'POST', url: '/v1/remote-workers/w/tasks/t/fail', payload: { error: 'x' } },
  { method: 'POST', url: '/v1/remote-workers/w/tasks/t/fail', payload: { error: { message: 5 } } },
  {
    method: 'POST',
    url: '/v1/remote-workers/w/tasks/t/fail',
    payload: { error: { message: 'm' }, retryable: 1 },
  },
];

describe('HTTP validation messages', () => {
  it('say what a query key takes and what it got', async () => {
    const f = await setup();
    const res = await f.call({ method: 'GET', url: '/v1/executions?limit=0' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(
      'Invalid request: query.limit: expected an integer from 1 to 1000, got 0',
    );
  });

  it('say what a body key takes, from all its limits', async () => {
    const f = await setup();
    const res = await f.call({
      method: 'POST',
      url: '/v1/remote-workers/w/poll',
      payload: { waitSeconds: 31 },
    });
    expect(res.json().error.message).toBe(
      'Invalid request: body.waitSeconds: expected a non-negative number of at most 30, got 31',
    );
  });

  it('name the remote-worker action or error code they refuse', async () => {
    const f = await setup();
    const register = await f.call({
      method: 'POST',
      url: '/v1/remote-workers',
      payload: { actions: ['bad name', 'delay', 'a'.repeat(129)] },
    });
    expect(register.json().error.message).toBe(
      'Invalid request: body.actions[0]: expected a name matching [A-Za-z0-9_.-]+ (at most 128 characters), got "bad name"; ' +
        'body.actions[1]: expected an action of this worker\'s own, got the built-in action "delay"; ' +
        // A name of the right characters but too long says what is wrong with it: its length.
        `body.actions[2]: expected a name matching [A-Za-z0-9_.-]+ (at most 128 characters), got "${'a'.repeat(
          64,
        )}…" (129 characters)`,
    );
    const fail = await f.call({
      method: 'POST',
      url: '/v1/remote-workers/w/tasks/t/fail',
      payload: { error: { code: 'no spaces', message: 'm' } },
    });
    expect(fail.json().error.message).toBe(
      'Invalid request: body.error.code: expected letters, digits and _.:- (at most 128), got "no spaces"',
    );
  });

  it('name the definition body or header they refuse', async () => {
    const f = await setup();
    const definition = await f.call({ method: 'POST', url: '/v1/workflows', payload: [1, 2] });
    expect(definition.json().error.message).toBe(
      'Invalid request: body: expected a JSON object { id, steps, options? }, got an array',
    );
    const header = await f.call({
      method: 'POST',
      url: '/v1/workflows/w/executions',
      headers: { 'idempotency-key': 'k\u00e9y' },
    });
    expect(header.json().error.message).toBe(
      'Invalid request: headers.idempotency-key: must be printable ASCII characters (send any other key in the body field idempotencyKey), got "k\u00e9y"',
    );
  });

  it("name the request's field, not the engine's parameter, for what the engine refuses", async () => {
    const f = await setup();
    await f.orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', action: 'delay', input: "{'seconds': 0}" },
    ]);
    const messageOf = async (options: InjectOptions) => {
      const res = await f.call(options);
      expect(res.statusCode).toBe(400);
      return res.json().error.message as string;
    };
    const execute = (payload: string) =>
      messageOf({
        method: 'POST',
        url: '/v1/workflows/w/executions',
        payload,
        headers: { 'content-type': 'application/json' },
      });
    expect(await execute('{"input": 1e400}')).toBe(
      'Invalid request: body.input: expected a finite number, got Infinity',
    );
    expect(await execute(`{"input": ${'['.repeat(66)}${']'.repeat(66)}}`)).toMatch(
      /^Invalid request: body\.input\[0\]\[0\].*: nested deeper than 64 levels/,
    );
    expect(await execute('{"idempotencyKey": "\\ud800"}')).toMatch(
      /^Invalid request: body\.idempotencyKey: /,
    );
    const { id } = (await f.call({ method: 'POST', url: '/v1/workflows/w/executions', payload: {} })).json();
    expect(await messageOf({ method: 'GET', url: `/v1/executions?before=${id}&after=${id}` })).toMatch(
      /^Invalid request: query\.after: /,
    );
    expect(await messageOf({ method: 'GET', url: `/v1/executions?offset=5&before=${id}` })).toMatch(
      /^Invalid request: query\.offset: /,
    );
    const { workerId } = (
      await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['stt'] } })
    ).json();
    expect(
      await messageOf({
        method: 'POST',
        url: `/v1/remote-workers/${workerId}/poll`,
        payload: { actions: ['nope'], waitSeconds: 0 },
      }),
    ).toMatch(/^Invalid request: body\.actions/);
  });

  it('say a missing body key is required and what it takes', async () => {
    const f = await setup();
    const fail = await f.call({
      method: 'POST',
      url: '/v1/remote-workers/w/tasks/t/fail',
      payload: { error: {} },
    });
    expect(fail.json().error.message).toBe(
      'Invalid request: body.error.message: is required (a string of at most 8192 characters)',
    );
    const define = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { steps: [{ name: 'a' }] },
    });
    expect(define.json().error.message).not.toMatch(/got undefined/);
    expect(define.json().error.message).toMatch(/id: is required \(/);
  });

  it('say a definition body left out (or null) is required, not that it got undefined', async () => {
    const f = await setup();
    const bodies = [{}, { payload: 'null', headers: { 'content-type': 'application/json' } }];
    for (const body of bodies) {
      const res = await f.call({ method: 'POST', url: '/v1/workflows', ...body });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toBe(
        'Invalid request: body: is required (a JSON object { id, steps, options? })',
      );
    }
  });

  it('word a workflow id in a query or path as the other request messages, not as a definition', async () => {
    const f = await setup();
    const expected = (got: string) =>
      `expected a workflow id (1 to 128 of ASCII letters, digits, '_', '.' and '-'; not '.', '..' or '__proto__'), got ${got}`;
    const long = 'w'.repeat(300);
    const cases: [string, string][] = [
      [
        `/v1/executions?workflowId=${long}`,
        `query.workflowId: ${expected(`"${'w'.repeat(64)}…" (300 characters)`)}`,
      ],
      ['/v1/executions?workflowId=a%20b', `query.workflowId: ${expected('"a b" (U+0020 at index 1)')}`],
      [
        '/v1/executions?workflowId=caf%C3%A9',
        `query.workflowId: ${expected(`"café" ('é', U+00E9, at index 3)`)}`,
      ],
      ['/v1/workflows/a%20b', `path.id: ${expected('"a b" (U+0020 at index 1)')}`],
      ['/v1/workflows/__proto__', `path.id: ${expected('"__proto__"')}`],
      [`/v1/workflows/${long}`, `path.id: ${expected(`"${'w'.repeat(64)}…" (300 characters)`)}`],
    ];
    for (const [url, message] of cases) {
      const res = await f.call({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toBe(`Invalid request: ${message}`);
    }
    const start = await f.call({ method: 'POST', url: '/v1/workflows/a%20b/executions', payload: {} });
    expect(start.json().error.message).toMatch(
      /^Invalid request: path\.id: expected a workflow id .*, got "a b" \(U\+0020 at index 1\)$/,
    );
  });

  it('no request of the probe set is answered with zod’s own text', async () => {
    const f = await setup();
    const messages: string[] = [];
    for (const probe of PROBES) {
      const res = await f.call(probe);
      messages.push(`${probe.method} ${probe.url.slice(0, 60)}: ${res.statusCode} ${res.body}`);
    }
    expect(messages.filter((m) => /Invalid input|Too small|Too big|received|Invalid option/.test(m))).toEqual(
      [],
    );
  });
});
