/**
 * A request target in absolute form (`GET http://host/v1/workflows HTTP/1.1`, which a server must
 * accept: RFC 9112 §3.2.2, and which a client sends through a proxy) is routed by its path, as the
 * router does: an unknown `/v1` path needs the token as in origin form (else a 404 without one
 * told which routes exist), a known path asked with another method answers 405 with `Allow`, and a
 * message names the path, not the URL.
 */
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup, TOKEN } from './helpers.js';
import { type RawReply, sendRaw } from './raw-http.js';

afterEach(closeAll);

async function listening(): Promise<number> {
  const f = await setup();
  await f.app.listen({ port: 0, host: '127.0.0.1' });
  return (f.app.server.address() as net.AddressInfo).port;
}

function request(port: number, method: string, target: string, token?: string): Promise<RawReply> {
  const auth = token === undefined ? '' : `Authorization: Bearer ${token}\r\n`;
  return sendRaw(port, `${method} ${target} HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`);
}

function errorOf(reply: RawReply): { code: string; message: string } {
  return (JSON.parse(reply.body) as { error: { code: string; message: string } }).error;
}

describe('absolute-form request targets', () => {
  it('needs the token on an unknown /v1 path, as origin form does', async () => {
    const port = await listening();
    for (const target of ['http://x/v1/nope', 'HTTP://x/v1/nope?a=1', 'https://x:8080/v1', 'http://x/v1/']) {
      const reply = await request(port, 'GET', target);
      expect([target, reply.status]).toEqual([target, 401]);
      expect(errorOf(reply).code).toBe('UNAUTHORIZED');
    }
    const known = await request(port, 'DELETE', 'http://x/v1/workflows');
    expect(known.status).toBe(401);
  });

  it('answers 404 naming the path, and 405 with Allow for a known path, once signed in', async () => {
    const port = await listening();
    const unknown = await request(port, 'GET', 'http://x/v1/nope?a=1', TOKEN);
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown)).toEqual({ code: 'NOT_FOUND', message: 'Route GET /v1/nope not found' });

    const wrongMethod = await request(port, 'DELETE', 'http://x/v1/workflows', TOKEN);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    expect(errorOf(wrongMethod).message).toBe(
      'Method DELETE is not allowed on /v1/workflows; allowed: GET, HEAD, OPTIONS, POST',
    );
    const options = await request(port, 'OPTIONS', 'http://x/v1/workflows', TOKEN);
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS, POST');

    const outside = await request(port, 'POST', 'http://x/healthz');
    expect(outside.status).toBe(405);
    const root = await request(port, 'GET', 'http://x');
    expect(errorOf(root)).toEqual({ code: 'NOT_FOUND', message: 'Route GET / not found' });
  });
});
