/**
 * An error status's step error says what the server answered: an excerpt of its body (text only,
 * cut, control characters escaped), with every value the request sent that may be a secret
 * (header values, URL credentials, query values) replaced by `[redacted]`. The error's code and
 * retry classification stay the status's, and a large error body is not read past the excerpt's
 * need.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ERROR_BODY_READ_LIMIT } from '../../../src/actions/http-request.js';
import { NonRetryableError } from '../../../src/errors.js';
import { createOrchestrator, type Orchestrator } from '../../../src/index.js';
import { ctx, failure } from './action-context.js';
import { type LocalServer, startServer } from './local-server.js';

let server: LocalServer;

/** Answers `status` with `body` as `type` (untyped when null), with its length. */
const answer =
  (status: number, body: string | Buffer, type: string | null) => (_req: unknown, res: ServerResponse) => {
    const length = { 'content-length': String(Buffer.byteLength(body)) };
    res.writeHead(status, type === null ? length : { ...length, 'content-type': type }).end(body);
  };

/** Answers `status` with what `say` makes of the request, as text. */
const echoing =
  (status: number, say: (req: IncomingMessage) => string) => (req: IncomingMessage, res: ServerResponse) =>
    answer(status, say(req), 'text/plain; charset=utf-8')(req, res);

const longSecret = randomBytes(4000).toString('hex');

beforeAll(async () => {
  server = await startServer({
    '/json': answer(400, '{"error":"invalid voice id"}', 'application/json'),
    '/text': answer(503, 'upstream down\nretry later', 'text/plain'),
    '/untyped': answer(429, 'slow down', null),
    '/long': answer(400, 'a'.repeat(20_000), 'text/plain'),
    '/long-unsized': (_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.write('b'.repeat(10_000));
      res.end('b'.repeat(10_000));
    },
    '/endless': (_req, res) => {
      // More than the excerpt needs, and the body never ends.
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.write('c'.repeat(ERROR_BODY_READ_LIMIT + 1000));
    },
    '/stalled': (_req, res) => {
      // A refusal whose body never comes whole.
      res.writeHead(400, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('voice id unknown');
    },
    '/cut': (req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('overloaded', () => setTimeout(() => req.socket.destroy(), 20));
    },
    '/binary': answer(400, Buffer.alloc(412, 0xff), 'application/octet-stream'),
    '/untyped-binary': answer(500, Buffer.from([0xff, 0xfe, 0x00, 0x81]), null),
    '/blank': answer(400, ' \n', 'text/plain'),
    '/empty': answer(404, '', 'text/plain'),
    '/echo-key': echoing(401, (req) => `key ${String(req.headers['x-api-key'])} is unknown`),
    '/echo-bearer': echoing(401, (req) => {
      const token = String(req.headers.authorization).replace(/^Bearer /, '');
      return JSON.stringify({ error: `token ${token} expired`, header: req.headers.authorization });
    }),
    '/echo-basic': echoing(403, (req) => {
      const raw = String(req.headers.authorization);
      const [user, password] = Buffer.from(raw.slice(6), 'base64').toString('utf8').split(':');
      return `user ${user} with password ${password} (${raw}) may not`;
    }),
    '/echo-url': echoing(400, (req) => `bad request ${req.url}`),
    '/echo-tenant': echoing(400, (req) => `tenant ${String(req.headers['x-tenant'])} is unknown`),
    '/echo-cookie': echoing(401, (req) => {
      const values = String(req.headers.cookie)
        .split('; ')
        .map((pair) => pair.split('=')[1]);
      return `values: ${values.join(', ')}`;
    }),
    '/hop': (_req, res) => res.writeHead(302, { location: '/echo-url?code=minted-777' }).end(),
    '/echo-type': echoing(415, (req) => `unsupported ${String(req.headers['content-type'])}`),
    '/echo-key-header': echoing(409, (req) => `key ${String(req.headers['idempotency-key'])} was used`),
    '/echo-body': echoing(422, (_req) => 'field pin: 123456 is not a number'),
    '/echo-escaped': (req, res) => {
      const token = String(req.headers.authorization).replace(/^Bearer /, '');
      // As PHP's json_encode writes a `/`.
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(`{"token":"${token.replaceAll('/', '\\/')}"}`);
    },
    '/echo-late': echoing(401, (req) => `${'x'.repeat(490)} ${String(req.headers['x-api-key'])}`),
  });
});

afterAll(async () => {
  await server.close();
});

const action = createHttpAction({ allowlist: ['127.0.0.1'] });

async function fail(input: Record<string, unknown>) {
  return failure(action(input, ctx()) as Promise<unknown>);
}

describe('http action: the excerpt of an error body', () => {
  it("follows a JSON body's status line, the error still a non-retryable HTTP_4XX", async () => {
    const error = await fail({ url: `${server.base}/json`, method: 'POST', body: { voice: 'x' } });
    expect(error.message).toBe(
      `HTTP 400 Bad Request from POST ${server.base}/json: {"error":"invalid voice id"}`,
    );
    expect(error.code).toBe('HTTP_4XX');
    expect(error).toBeInstanceOf(NonRetryableError);
  });

  it('shows a text body with its control characters escaped, a 503 still a retryable HTTP_5XX', async () => {
    const error = await fail({ url: `${server.base}/text` });
    expect(error.message).toBe(
      `HTTP 503 Service Unavailable from GET ${server.base}/text: upstream down\\u000aretry later`,
    );
    expect(error.code).toBe('HTTP_5XX');
    expect(error).not.toBeInstanceOf(NonRetryableError);
  });

  it('shows an untyped body that is UTF-8, a 429 still a retryable HTTP_429', async () => {
    const error = await fail({ url: `${server.base}/untyped` });
    expect(error.message).toBe(`HTTP 429 Too Many Requests from GET ${server.base}/untyped: slow down`);
    expect(error.code).toBe('HTTP_429');
    expect(error).not.toBeInstanceOf(NonRetryableError);
  });

  it("cuts a long body at 500 characters, with '…' and the body's size", async () => {
    const error = await fail({ url: `${server.base}/long` });
    expect(error.message).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/long: ${'a'.repeat(500)}… (body of 20000 bytes)`,
    );
  });

  it('says the body was larger than what was read when it has no length', async () => {
    const error = await fail({ url: `${server.base}/long-unsized` });
    expect(error.message).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/long-unsized: ${'b'.repeat(500)}… (body of more than ${ERROR_BODY_READ_LIMIT} bytes)`,
    );
  });

  it('reads no more of an error body than the excerpt needs: one that never ends fails at once', async () => {
    const error = await fail({ url: `${server.base}/endless`, timeout: 20 });
    expect(error.code).toBe('HTTP_5XX');
    expect(error.message).toContain(`${'c'.repeat(500)}… (body of more than ${ERROR_BODY_READ_LIMIT} bytes)`);
  });

  it('is the status, not a timeout, when the body stalls past the timeout: a 4xx is not sent again', async () => {
    const error = await fail({ url: `${server.base}/stalled`, method: 'POST', body: { a: 1 }, timeout: 0.3 });
    expect(error.code).toBe('HTTP_4XX');
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toBe(
      `HTTP 400 Bad Request from POST ${server.base}/stalled: voice id unknown… (body of 100 bytes)`,
    );
  });

  it('is the status, not a network error, when the connection is cut during the body', async () => {
    const error = await fail({ url: `${server.base}/cut`, timeout: 5 });
    expect(error.code).toBe('HTTP_5XX');
    expect(error.message).toBe(
      `HTTP 503 Service Unavailable from GET ${server.base}/cut: overloaded… (body of 100 bytes)`,
    );
  });

  it("is the cancellation when the step's signal aborts during a stalled error body", async () => {
    const controller = new AbortController();
    const call = action({ url: `${server.base}/stalled`, timeout: 5 }, ctx(controller.signal));
    setTimeout(() => controller.abort(new Error('cancelled by test')), 100);
    await expect(call).rejects.toThrow('cancelled by test');
  });

  it('names a binary body by its type and size only', async () => {
    const error = await fail({ url: `${server.base}/binary` });
    expect(error.message).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/binary: (412 bytes of application/octet-stream)`,
    );
    const untyped = await fail({ url: `${server.base}/untyped-binary` });
    expect(untyped.message).toBe(
      `HTTP 500 Internal Server Error from GET ${server.base}/untyped-binary: (4 bytes of untyped data)`,
    );
  });

  it('adds nothing for an empty or blank body', async () => {
    const empty = await fail({ url: `${server.base}/empty` });
    expect(empty.message).toBe(`HTTP 404 Not Found from GET ${server.base}/empty`);
    const blank = await fail({ url: `${server.base}/blank` });
    expect(blank.message).toBe(`HTTP 400 Bad Request from GET ${server.base}/blank`);
  });
});

describe('http action: secrets the request sent, echoed in an error body', () => {
  it("are redacted for any header's value", async () => {
    const error = await fail({ url: `${server.base}/echo-key`, headers: { 'X-Api-Key': 'key-123456' } });
    expect(error.message).toBe(
      `HTTP 401 Unauthorized from GET ${server.base}/echo-key: key [redacted] is unknown`,
    );
  });

  it('are redacted for an Authorization value whole and for its credential alone', async () => {
    const error = await fail({
      url: `${server.base}/echo-bearer`,
      headers: { Authorization: 'Bearer abc123xyz' },
    });
    expect(error.message).toBe(
      `HTTP 401 Unauthorized from GET ${server.base}/echo-bearer: {"error":"token [redacted] expired","header":"[redacted]"}`,
    );
  });

  it('are redacted in their JSON-escaped form', async () => {
    const error = await fail({
      url: `${server.base}/echo-escaped`,
      headers: { Authorization: 'Bearer ab/cd+ef==' },
    });
    expect(error.message).toBe(
      `HTTP 401 Unauthorized from GET ${server.base}/echo-escaped: {"token":"[redacted]"}`,
    );
  });

  it("are redacted for the URL's user name and password, and the Basic credential made of them", async () => {
    const url = new URL(`${server.base}/echo-basic`);
    url.username = 'alice-ops';
    url.password = 's3cret pw';
    const error = await fail({ url: url.href });
    expect(error.message).toBe(
      `HTTP 403 Forbidden from GET ${server.base}/echo-basic: user [redacted] with password [redacted] (Basic [redacted]) may not`,
    );
  });

  it('are redacted for query values, as sent and decoded; a value under 4 characters is kept', async () => {
    const error = await fail({ url: `${server.base}/echo-url?token=tok%2F98765&lang=en` });
    expect(error.message).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/echo-url: bad request /echo-url?token=[redacted]&lang=en`,
    );
  });

  it("are redacted for each cookie's value", async () => {
    const error = await fail({
      url: `${server.base}/echo-cookie`,
      headers: { Cookie: 'session=sess-4242; theme=ok' },
    });
    expect(error.message).toBe(
      `HTTP 401 Unauthorized from GET ${server.base}/echo-cookie: values: [redacted], ok`,
    );
  });

  it('are redacted for the query of the URL a redirect led to', async () => {
    const error = await fail({ url: `${server.base}/hop` });
    expect(error.message).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/echo-url: bad request /echo-url?code=[redacted]`,
    );
  });

  it('keep a header value under 4 characters', async () => {
    const error = await fail({ url: `${server.base}/echo-tenant`, headers: { 'X-Tenant': 'ab1' } });
    expect(error.message).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/echo-tenant: tenant ab1 is unknown`,
    );
  });

  it("leave the plainly safe headers' values, the idempotency key and the body's ordinary values", async () => {
    const type = await fail({
      url: `${server.base}/echo-type`,
      method: 'POST',
      body: 'x',
      headers: { 'Content-Type': 'application/vnd.voice+json' },
    });
    expect(type.message).toContain(': unsupported application/vnd.voice+json');
    const key = await fail({ url: `${server.base}/echo-key-header`, idempotencyHeader: 'Idempotency-Key' });
    expect(key.message).toContain(': key exec_1:call was used');
    const body = await fail({ url: `${server.base}/echo-body`, method: 'POST', body: { pin: '123456' } });
    expect(body.message).toContain(': field pin: 123456 is not a number');
  });

  it('are redacted when they run past the part of the body read', async () => {
    const error = await fail({ url: `${server.base}/echo-late`, headers: { 'X-Api-Key': longSecret } });
    expect(error.message).toBe(
      `HTTP 401 Unauthorized from GET ${server.base}/echo-late: ${'x'.repeat(490)} [redacted]… (body of ${491 + longSecret.length} bytes)`,
    );
    expect(error.message).not.toContain(longSecret.slice(0, 4));
  });
});

describe('http action: the excerpt in the stored step error', () => {
  const open: Orchestrator[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  it('is in the failed step and execution error on the memory store, redacted, not retried for a 4xx', async () => {
    const orch = await createOrchestrator({ store: 'memory', httpAllowlist: ['127.0.0.1'] });
    open.push(orch);
    await orch.workflowEngine.defineWorkflow('call', [
      { name: 'fetch', action: 'http', retry: { maxAttempts: 2, initialDelay: 0.01, maxDelay: 0.02 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('call', {
      url: `${server.base}/echo-bearer`,
      headers: { Authorization: 'Bearer abc123xyz' },
    });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    const message = `HTTP 401 Unauthorized from GET ${server.base}/echo-bearer: {"error":"token [redacted] expired","header":"[redacted]"}`;
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'HTTP_4XX', step: 'fetch', message });
    expect(status.steps[0]?.error?.message).toBe(message);
    expect(status.steps[0]?.attempts).toBe(1);
    const stored = await orch.workflowEngine.getExecutionStatus(id);
    expect(JSON.stringify([stored?.error, stored?.steps])).not.toContain('abc123xyz');
  });

  it('is in a retried 5xx step error, every attempt made', async () => {
    const orch = await createOrchestrator({ store: 'memory', httpAllowlist: ['127.0.0.1'] });
    open.push(orch);
    await orch.workflowEngine.defineWorkflow('call', [
      { name: 'fetch', action: 'http', retry: { maxAttempts: 2, initialDelay: 0.01, maxDelay: 0.02 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('call', { url: `${server.base}/text` });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.error?.code).toBe('HTTP_5XX');
    expect(status.error?.message).toBe(
      `HTTP 503 Service Unavailable from GET ${server.base}/text: upstream down\\u000aretry later`,
    );
    expect(status.steps[0]?.attempts).toBe(3);
  });
});
