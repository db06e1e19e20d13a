/**
 * The `http` action following redirects against local servers: which of the input's headers a
 * redirect to another origin (scheme, host, port) carries, and a redirect's body left unread.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpAction, type HttpActionOutput } from '../../../src/actions/http-action.js';
import { NonRetryableError } from '../../../src/errors.js';
import { ctx, failure } from './action-context.js';
import { type LocalServer, redirect, startServer } from './local-server.js';
import { addresses } from './loopback.js';

let server: LocalServer;
let other: LocalServer;

const echo: Parameters<typeof startServer>[0][string] = (req, res, body) =>
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ method: req.method, headers: req.headers, body }));

/** The redirects whose endless body has stopped being written: their connection was closed. */
let closed = 0;

/** A redirect to `location` whose body never ends. */
function endlessRedirect(status: number, location: string) {
  return (_req: unknown, res: ServerResponse) => {
    res.writeHead(status, { location, 'content-type': 'text/html' });
    const chunk = 'x'.repeat(16 * 1024);
    res.write(chunk);
    const pump = setInterval(() => res.write(chunk), 1);
    res.on('close', () => {
      clearInterval(pump);
      closed++;
    });
  };
}

beforeAll(async () => {
  other = await startServer({ '/echo': echo });
  server = await startServer({
    '/echo': echo,
    '/to-other-host': redirect(307, () => `http://b.test:${server.port}/echo`),
    '/to-other-port': redirect(307, () => `http://a.test:${other.port}/echo`),
    '/to-same-origin': redirect(307, '/echo'),
    '/endless-redirect': endlessRedirect(302, '/echo'),
    '/endless-loop': endlessRedirect(301, '/endless-loop'),
    '/see-other': redirect(303, '/echo'),
    '/to-private': redirect(302, 'http://10.0.0.1/secret?token=s3cret'),
    '/to-file': redirect(301, 'file:///etc/passwd'),
    '/to-unresolved': redirect(307, 'http://unresolved.test/x'),
    '/caf%C3%A9': echo,
    // Raw UTF-8 bytes, as many servers send a non-ASCII Location (Node reads them as Latin-1).
    '/to-utf8': redirect(302, Buffer.from('/caf\u00e9?q=\u00e9t\u00e9', 'utf8').toString('latin1')),
    '/to-latin1': redirect(302, '/caf\u00e9'),
    '/no-location': (_req, res) => res.writeHead(302, { 'content-type': 'text/plain' }).end('moved'),
    '/empty-location': redirect(307, ''),
    '/bad-location': redirect(301, 'http://exa mple.com/next?token=s3cret'),
  });
});

afterAll(async () => {
  await server.close();
  await other.close();
});

const action = createHttpAction({ allowlist: ['127.0.0.1'], resolve: addresses('127.0.0.1') });

/** The headers the final hop received. */
async function headersSeen(path: string, port: number, headers: Record<string, string>) {
  const out = (await action(
    { url: `http://a.test:${port}${path}`, headers, body: 'payload', idempotencyHeader: 'Idempotency-Key' },
    ctx(),
  )) as HttpActionOutput;
  return (out.body as { headers: Record<string, string> }).headers;
}

describe('http action: headers on a redirect', () => {
  const given = {
    Authorization: 'Bearer s3cret',
    Cookie: 'sid=1',
    'Proxy-Authorization': 'Basic cA==',
    'X-Api-Key': 'k3y',
    'X-Auth-Token': 't0ken',
    'X-Trace': 't',
    Accept: 'application/json',
    'Accept-Language': 'fr',
    'Content-Type': 'text/csv',
    'User-Agent': 'mine/1',
  };
  const safe = {
    accept: 'application/json',
    'accept-language': 'fr',
    'content-type': 'text/csv',
    'user-agent': 'mine/1',
    'idempotency-key': 'exec_1:call',
  };

  it.each([
    ['another host', '/to-other-host'],
    ['another port', '/to-other-port'],
  ])('drops every header but the plainly safe ones on a redirect to %s', async (_what, path) => {
    const seen = await headersSeen(path, server.port, given);
    for (const name of [
      'authorization',
      'cookie',
      'proxy-authorization',
      'x-api-key',
      'x-auth-token',
      'x-trace',
    ])
      expect(seen[name], name).toBeUndefined();
    expect(seen).toMatchObject(safe);
  });

  it('keeps them all on a redirect to the same origin', async () => {
    const seen = await headersSeen('/to-same-origin', server.port, given);
    expect(seen).toMatchObject({
      ...safe,
      authorization: 'Bearer s3cret',
      cookie: 'sid=1',
      'proxy-authorization': 'Basic cA==',
      'x-api-key': 'k3y',
      'x-auth-token': 't0ken',
      'x-trace': 't',
    });
  });
});

describe('http action: a redirect that turns the request into a GET', () => {
  it('drops the body and every header that described it', async () => {
    const headers = {
      'Content-Type': 'text/csv',
      'Content-Encoding': 'identity',
      'Content-Language': 'fr',
      'Content-Location': '/upload.csv',
      'X-Trace': 't',
    };
    const out = (await action(
      { url: `http://a.test:${server.port}/see-other`, body: 'a,b', headers },
      ctx(),
    )) as HttpActionOutput;
    const seen = out.body as { method: string; headers: Record<string, string>; body: string };
    expect(seen.method).toBe('GET');
    expect(seen.body).toBe('');
    for (const name of [
      'content-type',
      'content-encoding',
      'content-language',
      'content-location',
      'content-length',
    ])
      expect(seen.headers[name], name).toBeUndefined();
    expect(seen.headers['x-trace']).toBe('t');
  });
});

describe('http action: the body of a redirect', () => {
  const small = createHttpAction({ allowlist: ['127.0.0.1'], maxResponseBytes: 1024 });

  it('is not read: a redirect with a body past the response cap is followed, its connection closed', async () => {
    const before = closed;
    const out = (await small({ url: `${server.base}/endless-redirect` }, ctx())) as HttpActionOutput;
    expect(out.status).toBe(200);
    expect((out.body as { method: string }).method).toBe('GET');
    await vi.waitFor(() => expect(closed).toBe(before + 1));
  });

  it('is not read past the last redirect followed either: too many redirects is the error', async () => {
    const before = closed;
    const error = await failure(small({ url: `${server.base}/endless-loop` }, ctx()) as Promise<unknown>);
    expect(error.code).toBe('HTTP_TOO_MANY_REDIRECTS');
    await vi.waitFor(() => expect(closed).toBe(before + 6));
  });
});

describe('http action: a redirect it cannot follow', () => {
  const allowLocal = createHttpAction({ allowlist: ['127.0.0.1'] });

  it.each([
    [
      'no Location',
      '/no-location',
      'GET',
      /^HTTP 302 from GET http:\/\/127\.0\.0\.1:\d+\/no-location has no Location header/,
    ],
    [
      'an empty Location',
      '/empty-location',
      'POST',
      /^HTTP 307 from POST http:\/\/127\.0\.0\.1:\d+\/empty-location has no Location header/,
    ],
    [
      'a Location that is no URL',
      '/bad-location',
      'GET',
      /^HTTP 301 from GET http:\/\/127\.0\.0\.1:\d+\/bad-location redirects to 'http:\/\/exa mple\.com\/next', which is not a valid URL$/,
    ],
  ])('fails with HTTP_BAD_REDIRECT on %s', async (_what, path, method, message) => {
    const error = await failure(
      allowLocal({ url: `${server.base}${path}`, method }, ctx()) as Promise<unknown>,
    );
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.code).toBe('HTTP_BAD_REDIRECT');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('s3cret');
  });
});

describe('http action: a Location with characters past ASCII', () => {
  const allowLocal = createHttpAction({ allowlist: ['127.0.0.1'] });

  it.each([
    ['in UTF-8, as browsers read it', '/to-utf8', '/caf%C3%A9?q=%C3%A9t%C3%A9'],
    ['that is no UTF-8, as Latin-1', '/to-latin1', '/caf%C3%A9'],
  ])('is read %s', async (_what, path, target) => {
    const out = (await allowLocal({ url: `${server.base}${path}` }, ctx())) as HttpActionOutput;
    expect(out.status).toBe(200);
    expect(server.received.at(-1)?.url).toBe(target);
  });
});

describe('http action: a redirect the SSRF guard refuses', () => {
  const resolve = async (host: string) => {
    if (host === 'unresolved.test') throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return [{ address: '127.0.0.1', family: 4 as const }];
  };
  const guarded = createHttpAction({ allowlist: ['127.0.0.1'], resolve });

  it.each([
    [
      '/to-private',
      302,
      'SSRF_BLOCKED',
      /^Refused to call '10\.0\.0\.1' \(redirected to by HTTP 302 from GET http:\/\/a\.test:\d+\/to-private\): private/,
    ],
    [
      '/to-file',
      301,
      'SSRF_BLOCKED',
      /^Refused to call a URL with scheme 'file:' \(redirected to by HTTP 301 from GET http:\/\/a\.test:\d+\/to-file\): only/,
    ],
    [
      '/to-unresolved',
      307,
      'HTTP_NETWORK',
      /^Could not resolve 'unresolved\.test' \(redirected to by HTTP 307 from GET http:\/\/a\.test:\d+\/to-unresolved\) \(ENOTFOUND\)$/,
    ],
  ])('names the redirect that led to %s', async (path, _status, code, message) => {
    const error = await failure(
      guarded({ url: `http://a.test:${server.port}${path}` }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('s3cret');
  });
});
