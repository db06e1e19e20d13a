/**
 * The built-in `http` action against a local server: SSRF refusal by default and the
 * allowlist, redirects re-vetted (to a private address: refused), the connection pinned to
 * the vetted address, status mapping (4xx non-retryable, 5xx/429 retryable), timeouts,
 * bodies, limits and input validation.
 */
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction, type HttpActionOutput } from '../../../src/actions/http-action.js';
import type { ResolvedAddress } from '../../../src/actions/ssrf-guard.js';
import { NonRetryableError } from '../../../src/errors.js';
import { ctx, failure } from './action-context.js';
import { json, type LocalServer, redirect, startServer } from './local-server.js';

let server: LocalServer;
let hanging: LocalServer;

beforeAll(async () => {
  server = await startServer({
    '/json': json(200, { hello: 'world' }, { 'x-multi': 'a' }),
    '/echo': (req, res, body) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ method: req.method, headers: req.headers, body })),
    '/text': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('plain text'),
    '/binary': (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0, 1, 2, 255])),
    '/empty': (_req, res) => res.writeHead(204).end(),
    '/untyped-binary': (_req, res) => {
      res.removeHeader('content-type');
      res.writeHead(200).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0x01]));
    },
    '/untyped-text': (_req, res) => res.writeHead(200).end('h\u00e9llo'),
    '/latin1': (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/plain; charset=ISO-8859-1' })
        .end(Buffer.from([0x43, 0x61, 0x66, 0xe9])),
    '/bad-utf8-text': (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.from([0x61, 0xff, 0xfe, 0x62])),
    '/bad-utf8-json': (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3]), Buffer.from('"}')])),
    '/unknown-charset': (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain; charset=x-made-up' }).end('caf\u00e9'),
    '/bom-json': (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('\ufeff{"a":1}'),
    '/404': json(404, { error: 'missing' }),
    '/400': json(400, { error: 'bad' }),
    '/429': json(429, { error: 'slow down' }),
    '/503': json(503, { error: 'down' }),
    '/big': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000)),
    '/to-json': redirect(302, '/json'),
    '/see-other': redirect(303, '/echo'),
    '/keep-method': redirect(307, '/echo'),
    '/to-private': redirect(302, 'http://10.0.0.1/secret'),
    '/to-metadata': redirect(301, 'http://169.254.169.254/latest/meta-data/'),
    '/to-localhost': redirect(302, () => `http://localhost:${server.port}/json`),
    '/to-file': redirect(302, 'file:///etc/passwd'),
    '/loop': redirect(302, '/loop'),
  });
  hanging = await startServer({ '/hang': () => undefined });
});

afterAll(async () => {
  await server.close();
  await hanging.close();
});

const allowLocal = createHttpAction({ allowlist: ['127.0.0.1'] });

describe('http action: SSRF', () => {
  it('refuses a loopback server by default, before connecting', async () => {
    const before = server.received.length;
    const error = await failure(
      createHttpAction()({ url: `${server.base}/json` }, ctx()) as Promise<unknown>,
    );
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.code).toBe('SSRF_BLOCKED');
    expect(error.message).toMatch(/'127\.0\.0\.1'.*loopback/);
    expect(server.received.length).toBe(before);
  });

  it('reaches it when the host is allowlisted', async () => {
    const out = (await allowLocal({ url: `${server.base}/json` }, ctx())) as HttpActionOutput;
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ hello: 'world' });
    expect(out.headers['content-type']).toBe('application/json');
    expect(out.headers['x-multi']).toBe('a');
  });

  it('refuses redirects to private, metadata, internal-name and non-HTTP targets', async () => {
    for (const [path, pattern] of [
      ['/to-private', /'10\.0\.0\.1'.*private/],
      ['/to-metadata', /'169\.254\.169\.254'.*link-local/],
      ['/to-localhost', /'localhost'.*internal host name/],
      ['/to-file', /scheme 'file:'/],
    ] as const) {
      const error = await failure(allowLocal({ url: `${server.base}${path}` }, ctx()) as Promise<unknown>);
      expect(error.code, path).toBe('SSRF_BLOCKED');
      expect(error.message).toMatch(pattern);
    }
  });

  it('pins the connection to the vetted address: a second DNS answer cannot switch it', async () => {
    const calls: string[] = [];
    const resolve = async (host: string): Promise<ResolvedAddress[]> => {
      calls.push(host);
      // First answer is allowlisted; any later lookup would point somewhere unreachable.
      return [{ address: calls.length === 1 ? '127.0.0.1' : '10.255.255.1', family: 4 }];
    };
    const action = createHttpAction({ allowlist: ['127.0.0.0/8'], resolve, defaultTimeout: 3 });
    const out = (await action({ url: `http://rebind.test:${server.port}/echo` }, ctx())) as HttpActionOutput;
    expect(out.status).toBe(200);
    expect((out.body as { headers: Record<string, string> }).headers.host).toBe(`rebind.test:${server.port}`);
    expect(calls).toEqual(['rebind.test']);
  });

  it('refuses a name whose answers include a private address', async () => {
    const resolve = async (): Promise<ResolvedAddress[]> => [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    const error = await failure(
      createHttpAction({ resolve })(
        { url: `http://mixed.test:${server.port}/json` },
        ctx(),
      ) as Promise<unknown>,
    );
    expect(error.code).toBe('SSRF_BLOCKED');
  });
});

describe('http action: redirects', () => {
  it('follows a redirect on an allowed host', async () => {
    const out = (await allowLocal({ url: `${server.base}/to-json` }, ctx())) as HttpActionOutput;
    expect(out.body).toEqual({ hello: 'world' });
  });

  it('turns POST into GET on 303 and keeps it on 307', async () => {
    const seeOther = (await allowLocal(
      { url: `${server.base}/see-other`, body: { a: 1 } },
      ctx(),
    )) as HttpActionOutput;
    expect((seeOther.body as { method: string; body: string }).method).toBe('GET');
    expect((seeOther.body as { body: string }).body).toBe('');
    const kept = (await allowLocal(
      { url: `${server.base}/keep-method`, body: { a: 1 } },
      ctx(),
    )) as HttpActionOutput;
    expect((kept.body as { method: string }).method).toBe('POST');
    expect(JSON.parse((kept.body as { body: string }).body)).toEqual({ a: 1 });
  });

  it('stops after 5 redirects', async () => {
    const error = await failure(allowLocal({ url: `${server.base}/loop` }, ctx()) as Promise<unknown>);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.code).toBe('HTTP_TOO_MANY_REDIRECTS');
  });
});

describe('http action: statuses, bodies and errors', () => {
  it.each([
    ['a header value with CR/LF', { headers: { 'x-a': 'v\r\nx-injected: 1' } }, 'input.headers.x-a'],
    ['a header name that is not a token', { headers: { 'x a': 'v' } }, 'input.headers.x…'],
    ['a malformed %-escape in the URL credentials', { credentials: 'user:%zz@' }, 'input.url'],
  ])('refuses %s as invalid input (not a retryable network error)', async (_what, bad, path) => {
    const { headers, credentials } = bad as { headers?: Record<string, string>; credentials?: string };
    const url = credentials ? `http://${credentials}127.0.0.1:${server.port}/ok` : `${server.base}/ok`;
    const error = await Promise.resolve(allowLocal({ url, ...(headers ? { headers } : {}) }, ctx())).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path }] });
  });

  it('sends a JSON body (POST by default) and parses JSON, text, binary and empty responses', async () => {
    const echo = (await allowLocal(
      { url: `${server.base}/echo`, body: { n: 1 } },
      ctx(),
    )) as HttpActionOutput;
    const seen = echo.body as { method: string; headers: Record<string, string>; body: string };
    expect(seen.method).toBe('POST');
    expect(seen.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(seen.body)).toEqual({ n: 1 });
    const put = (await allowLocal(
      { method: 'put', url: `${server.base}/echo`, body: 'raw', headers: { 'X-Custom': 'yes' } },
      ctx(),
    )) as HttpActionOutput;
    expect(put.body).toMatchObject({ method: 'PUT', body: 'raw', headers: { 'x-custom': 'yes' } });
    expect(((await allowLocal({ url: `${server.base}/text` }, ctx())) as HttpActionOutput).body).toBe(
      'plain text',
    );
    const bin = (await allowLocal({ url: `${server.base}/binary` }, ctx())) as HttpActionOutput;
    expect(bin).toMatchObject({
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      bodyEncoding: 'base64',
    });
    const empty = (await allowLocal(
      { url: `${server.base}/empty`, method: 'DELETE' },
      ctx(),
    )) as HttpActionOutput;
    expect(empty).toMatchObject({ status: 204, body: null });
  });

  it('returns a body it cannot decode losslessly as base64, and decodes text in its declared charset', async () => {
    const get = async (path: string) =>
      (await allowLocal({ url: `${server.base}${path}` }, ctx())) as HttpActionOutput;
    const base64 = (bytes: number[] | Buffer) => ({
      body: Buffer.from(bytes).toString('base64'),
      bodyEncoding: 'base64',
    });
    expect(await get('/untyped-binary')).toMatchObject(base64([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0x01]));
    expect(await get('/bad-utf8-text')).toMatchObject(base64([0x61, 0xff, 0xfe, 0x62]));
    expect(await get('/bad-utf8-json')).toMatchObject(
      base64(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3]), Buffer.from('"}')])),
    );
    const untypedText = await get('/untyped-text');
    expect(untypedText.body).toBe('h\u00e9llo');
    expect(untypedText.bodyEncoding).toBeUndefined();
    expect((await get('/latin1')).body).toBe('Caf\u00e9');
    expect((await get('/bom-json')).body).toEqual({ a: 1 });
    expect((await get('/unknown-charset')).body).toBe('caf\u00e9');
  });

  it('fails 4xx as non-retryable HTTP_4XX', async () => {
    for (const path of ['/404', '/400']) {
      const error = await failure(allowLocal({ url: `${server.base}${path}` }, ctx()) as Promise<unknown>);
      expect(error).toBeInstanceOf(NonRetryableError);
      expect(error.code).toBe('HTTP_4XX');
      expect(error.message).toContain(`HTTP ${path.slice(1)}`);
    }
  });

  it('fails 5xx, 429 and network errors as retryable', async () => {
    const e503 = await failure(allowLocal({ url: `${server.base}/503` }, ctx()) as Promise<unknown>);
    expect(e503).not.toBeInstanceOf(NonRetryableError);
    expect(e503.code).toBe('HTTP_5XX');
    const e429 = await failure(allowLocal({ url: `${server.base}/429` }, ctx()) as Promise<unknown>);
    expect(e429).not.toBeInstanceOf(NonRetryableError);
    expect(e429.code).toBe('HTTP_429');
    const closed = await startServer({});
    await closed.close();
    const refused = await failure(allowLocal({ url: `${closed.base}/x` }, ctx()) as Promise<unknown>);
    expect(refused).not.toBeInstanceOf(NonRetryableError);
    expect(refused.code).toBe('HTTP_NETWORK');
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('keeps URL credentials and query strings out of error messages', async () => {
    const error = await failure(
      allowLocal(
        { url: `http://user:pa55word@127.0.0.1:${server.port}/503?api_key=k3y` },
        ctx(),
      ) as Promise<unknown>,
    );
    expect(error.message).toContain(`http://127.0.0.1:${server.port}/503`);
    expect(error.message).not.toMatch(/pa55word|k3y|user/);
  });

  it('caps the response size', async () => {
    const action = createHttpAction({ allowlist: ['127.0.0.1'], maxResponseBytes: 1000 });
    const error = await failure(action({ url: `${server.base}/big` }, ctx()) as Promise<unknown>);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.code).toBe('HTTP_RESPONSE_TOO_LARGE');
  });

  it('rejects bad input as VALIDATION, naming the path', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /input\.url/],
      [{ url: 'not a url' }, /input\.url: is not a valid absolute URL/],
      [{ url: `${server.base}/json`, method: 'TRACE' }, /input\.method/],
      [{ url: `${server.base}/json`, timeout: -1 }, /input\.timeout/],
      [{ url: `${server.base}/json`, headers: { Host: 'evil' } }, /input\.headers\.Host/],
      [{ url: `${server.base}/json`, retries: 3 }, /unknown key 'retries'$/],
      [
        { url: `${server.base}/json`, header: {} },
        /input\.header: unknown key 'header' \(did you mean 'headers'\?\)/,
      ],
      ['http://example.com', /input/],
    ];
    for (const [input, pattern] of cases) {
      const error = await failure(allowLocal(input, ctx()) as Promise<unknown>);
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(pattern);
    }
  });
});

describe('http action: timeouts and cancellation', () => {
  it('times out a server that never answers (input timeout), as a retryable HTTP_TIMEOUT', async () => {
    const action = createHttpAction({ allowlist: ['127.0.0.1'], defaultTimeout: 20 });
    const error = await failure(
      action({ url: `${hanging.base}/hang`, timeout: 0.2 }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_TIMEOUT');
    expect(error).not.toBeInstanceOf(NonRetryableError);
    // The input's timeout, not the action's default (the test would outlast its own 30 s otherwise).
    expect(error.message).toBe(`GET ${hanging.base}/hang did not finish within 0.2s`);
  });

  it('has a finite default timeout, which the defaultTimeout option sets', async () => {
    const action = createHttpAction({ allowlist: ['127.0.0.1'], defaultTimeout: 0.2 });
    const error = await failure(action({ url: `${hanging.base}/hang` }, ctx()) as Promise<unknown>);
    expect(error.code).toBe('HTTP_TIMEOUT');
    expect(error.message).toBe(`GET ${hanging.base}/hang did not finish within 0.2s`);
  });

  it('fails at once, as a retryable HTTP_NETWORK, when the connection closes without a response (a 101)', async () => {
    // Node answers an unrequested 101 Switching Protocols by closing the socket, with no error event.
    const upgrading = createTcpServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () =>
        socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n'),
      );
    });
    await new Promise<void>((resolve) => upgrading.listen(0, '127.0.0.1', resolve));
    try {
      const port = (upgrading.address() as AddressInfo).port;
      const error = await failure(
        allowLocal({ url: `http://127.0.0.1:${port}/ws`, timeout: 600 }, ctx()) as Promise<unknown>,
      );
      expect(error.code).toBe('HTTP_NETWORK');
      expect(error).not.toBeInstanceOf(NonRetryableError);
      expect(error.message).toMatch(/closed before a response/);
    } finally {
      await new Promise((resolve) => upgrading.close(resolve));
    }
  });

  it("stops when the step's signal aborts, with the signal's reason", async () => {
    const controller = new AbortController();
    const pending = allowLocal({ url: `${hanging.base}/hang` }, ctx(controller.signal)) as Promise<unknown>;
    setTimeout(() => controller.abort(new Error('cancelled by test')), 50);
    await expect(pending).rejects.toThrow('cancelled by test');
  });
});
