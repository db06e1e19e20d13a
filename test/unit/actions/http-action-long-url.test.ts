/**
 * The `http` action's error messages repeat a URL or host the workflow gave only in part: the
 * scheme, host and port whole (a host past 64 characters cut as `echo()` cuts), the path cut past
 * 200 characters with `…` and its length, never credentials or the query. A long URL from input
 * (up to the 8192 characters allowed) or from a redirect's Location made a message of its size in
 * every attempt, log line and status answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import type { ResolvedAddress } from '../../../src/actions/ssrf-guard.js';
import { ctx, failure } from './action-context.js';
import { connector } from './connect-seam.js';
import { type LocalServer, redirect, startServer } from './local-server.js';
import { addresses } from './loopback.js';

const LONG_PATH = `/${'p'.repeat(7000)}`;
const LONG_HOST = `${'h'.repeat(300)}.test`;
/** Room for the method, scheme, a cut host (twice), port, a cut path and the error's words. */
const BOUND = 700;

let server: LocalServer;

beforeAll(async () => {
  server = await startServer({
    [LONG_PATH]: (_req, res) => res.writeHead(404).end(),
    '/to-long': redirect(302, LONG_PATH),
    '/loop-long': redirect(302, () => `/loop-long?${'q'.repeat(7000)}`),
  });
});

afterAll(async () => {
  await server.close();
});

const allowLocal = createHttpAction({ allowlist: ['127.0.0.1'] });
const secretUrl = (base: string, path: string) =>
  `${base.replace('://', '://user:pa55word@')}${path}?api_key=k3y${'k'.repeat(1000)}`;

describe('http action: long URLs in error messages', () => {
  it('names scheme, host, port and the error, cuts a long path and never echoes credentials or query', async () => {
    const closed = await startServer({});
    await closed.close();
    const error = await failure(
      allowLocal({ url: secretUrl(closed.base, LONG_PATH) }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error.message.length).toBeLessThan(BOUND);
    expect(error.message).toContain(
      `GET ${closed.base}/${'p'.repeat(199)}… (path of 7001 characters) failed:`,
    );
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).not.toMatch(/pa55word|k3y|user/);
  });

  it('keeps a short path whole', async () => {
    const error = await failure(
      allowLocal({ url: secretUrl(server.base, '/short') }, ctx()) as Promise<unknown>,
    );
    expect(error.message).toBe(`HTTP 404 Not Found from GET ${server.base}/short: {"error":"nope"}`);
  });

  it('cuts the path of a status error and of a redirect target', async () => {
    const status = await failure(
      allowLocal({ url: secretUrl(server.base, LONG_PATH) }, ctx()) as Promise<unknown>,
    );
    expect(status.code).toBe('HTTP_4XX');
    expect(status.message.length).toBeLessThan(BOUND);
    expect(status.message).toContain(`HTTP 404 Not Found from GET ${server.base}/ppp`);
    expect(status.message).not.toMatch(/pa55word|k3y|user/);
    const redirected = await failure(
      allowLocal({ url: `${server.base}/to-long` }, ctx()) as Promise<unknown>,
    );
    expect(redirected.message.length).toBeLessThan(BOUND);
    expect(redirected.message).toContain('(path of 7001 characters)');
    const loop = await failure(allowLocal({ url: `${server.base}/loop-long` }, ctx()) as Promise<unknown>);
    expect(loop.code).toBe('HTTP_TOO_MANY_REDIRECTS');
    expect(loop.message).toBe(`More than 5 redirects from ${server.base}/loop-long`);
  });

  it('cuts a long host name as echo() does, in resolve failures and SSRF refusals', async () => {
    const resolve = async (): Promise<ResolvedAddress[]> => {
      throw Object.assign(new Error('no such host'), { code: 'ENOTFOUND' });
    };
    const unresolved = await failure(
      createHttpAction({ resolve })(
        { url: `https://${LONG_HOST}:8443${LONG_PATH}` },
        ctx(),
      ) as Promise<unknown>,
    );
    expect(unresolved.code).toBe('HTTP_NETWORK');
    expect(unresolved.message).toBe(`Could not resolve '${'h'.repeat(64)}…' (305 characters) (ENOTFOUND)`);
    const privateAnswer = async (): Promise<ResolvedAddress[]> => [{ address: '10.0.0.1', family: 4 }];
    const refused = await failure(
      createHttpAction({ resolve: privateAnswer })(
        { url: `http://${LONG_HOST}/` },
        ctx(),
      ) as Promise<unknown>,
    );
    expect(refused.code).toBe('SSRF_BLOCKED');
    expect(refused.message.length).toBeLessThan(BOUND);
    expect(refused.message).toContain(
      `Refused to call '${'h'.repeat(64)}…' (305 characters): it resolves to 10.0.0.1`,
    );
    const internal = await failure(
      createHttpAction()({ url: `http://${'i'.repeat(300)}.internal/` }, ctx()) as Promise<unknown>,
    );
    expect(internal.code).toBe('SSRF_BLOCKED');
    expect(internal.message.length).toBeLessThan(BOUND);
  });

  it('cuts a long host name in a URL, keeping its scheme and port', async () => {
    const refused = async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1', family: 4 }];
    const closed = await startServer({});
    await closed.close();
    const error = await failure(
      createHttpAction({ resolve: refused, allowlist: ['127.0.0.1'] })(
        { url: `http://user:pa55word@${LONG_HOST}:${closed.port}/x?k3y` },
        ctx(),
      ) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error.message).toBe(
      `GET http://${'h'.repeat(64)}… (host of 305 characters):${closed.port}/x failed: ECONNREFUSED`,
    );
  });

  it('cuts host and path when no address connects (HTTP_NETWORK) or none in time (HTTP_CONNECT_TIMEOUT)', async () => {
    const closed = await startServer({});
    await closed.close();
    const both = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1', '127.0.0.2'),
    });
    const refused = await failure(
      both({ url: `http://${LONG_HOST}:${closed.port}${LONG_PATH}` }, ctx()) as Promise<unknown>,
    );
    expect(refused.code).toBe('HTTP_NETWORK');
    expect(refused.message.length).toBeLessThan(BOUND);
    expect(refused.message).toContain(
      `failed: could not connect to '${'h'.repeat(64)}…' (305 characters) at any of its 2 addresses (127.0.0.1, 127.0.0.2); last error: ECONNREFUSED`,
    );
    const seam = connector(['127.0.0.1']);
    const dark = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1'),
      connect: seam.connect,
    });
    const timedOut = await failure(
      dark({ url: `https://${LONG_HOST}:8443${LONG_PATH}`, timeout: 0.1 }, ctx()) as Promise<unknown>,
    );
    expect(timedOut.code).toBe('HTTP_CONNECT_TIMEOUT');
    expect(timedOut.message).toBe(
      `GET https://${'h'.repeat(64)}… (host of 305 characters):8443/${'p'.repeat(199)}… (path of 7001 characters) did not finish within 0.1s: connecting to '${'h'.repeat(64)}…' (305 characters) timed out at its address (127.0.0.1); nothing was sent`,
    );
  });

  it('refuses a 100 KB URL as input with a bounded message', async () => {
    const error = await failure(
      allowLocal({ url: `${server.base}/x?${'q'.repeat(100_000)}` }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe('VALIDATION');
    expect(error.message.length).toBeLessThan(BOUND);
  });
});
