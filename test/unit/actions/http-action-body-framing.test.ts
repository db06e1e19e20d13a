/**
 * The `http` action frames every body it sends with a Content-Length, whatever the method: Node
 * frames a body only for the methods it expects one with (POST, PUT, PATCH), and wrote the body
 * of a DELETE, GET, OPTIONS or HEAD after the headers unannounced, so the server read it as the
 * start of a next request (a 400, or a second request smuggled on the connection).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction, type HttpActionOutput } from '../../../src/actions/http-action.js';
import { ctx } from './action-context.js';
import { type LocalServer, redirect, startServer } from './local-server.js';

let server: LocalServer;

beforeAll(async () => {
  server = await startServer({
    '/echo': (req, res, body) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ method: req.method, length: req.headers['content-length'] ?? null, body })),
    '/moved': redirect(307, '/echo'),
  });
});

afterAll(async () => {
  await server.close();
});

const action = createHttpAction({ allowlist: ['127.0.0.1'] });

describe('http action: a body sent with any method', () => {
  it.each(['DELETE', 'GET', 'OPTIONS'])('sends a %s body with its length, as one request', async (method) => {
    const before = server.received.length;
    const out = (await action(
      { method, url: `${server.base}/echo`, body: { ids: [1, 2] } },
      ctx(),
    )) as HttpActionOutput;
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ method, length: '13', body: '{"ids":[1,2]}' });
    expect(server.received.length - before).toBe(1);
  });

  it('sends a body that reads as a request as the body, not as a second request', async () => {
    const before = server.received.length;
    const smuggled = `GET /echo?smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const out = (await action(
      { method: 'DELETE', url: `${server.base}/echo`, body: smuggled },
      ctx(),
    )) as HttpActionOutput;
    expect(out.body).toEqual({ method: 'DELETE', length: String(smuggled.length), body: smuggled });
    expect(server.received.slice(before).map((r) => r.url)).toEqual(['/echo']);
  });

  it('keeps the length when a 307 redirect repeats a DELETE with its body', async () => {
    const out = (await action(
      { method: 'DELETE', url: `${server.base}/moved`, body: 'gone' },
      ctx(),
    )) as HttpActionOutput;
    expect(out.body).toEqual({ method: 'DELETE', length: '4', body: 'gone' });
  });

  it('sends a body of multi-byte characters with its length in bytes', async () => {
    const out = (await action(
      { method: 'DELETE', url: `${server.base}/echo`, body: 'café ☕' },
      ctx(),
    )) as HttpActionOutput;
    expect(out.body).toEqual({
      method: 'DELETE',
      length: String(Buffer.byteLength('café ☕')),
      body: 'café ☕',
    });
  });
});
