/**
 * The built-in `http` action against a local HTTPS server (a self-signed certificate, not
 * verified here): a redirect from https to http would send the request, its headers and body
 * unencrypted, so it is refused rather than followed; https to https is followed as before.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpAction, type HttpActionOutput } from '../../../src/actions/http-action.js';
import { NonRetryableError } from '../../../src/errors.js';
import { ctx } from './action-context.js';
import { json, type LocalServer, redirect, startServer } from './local-server.js';
import { selfSignedCertificate } from './self-signed.js';

let plain: LocalServer;
let secure: LocalServer;
const action = createHttpAction({ allowlist: ['127.0.0.1'] });

beforeAll(async () => {
  // The certificate is self-signed: this file's connections skip verification.
  vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
  plain = await startServer({ '/json': json(200, { over: 'http' }) });
  secure = await startServer(
    {
      '/json': json(200, { over: 'https' }),
      '/to-https': redirect(302, '/json'),
      '/to-http': redirect(307, () => `http://user:pw@127.0.0.1:${plain.port}/json?token=abc`),
    },
    selfSignedCertificate(),
  );
});

afterAll(async () => {
  await plain?.close();
  await secure?.close();
  vi.unstubAllEnvs();
});

describe('http action: redirects from https', () => {
  it('follows a redirect that stays on https', async () => {
    const out = (await action({ url: `${secure.base}/to-https` }, ctx())) as HttpActionOutput;
    expect(out.body).toEqual({ over: 'https' });
  });

  it('refuses a redirect to http, naming both URLs without credentials or query, sending nothing', async () => {
    const error = await Promise.resolve(
      action(
        {
          method: 'POST',
          url: `https://me:secret@127.0.0.1:${secure.port}/to-http?key=k1`,
          headers: { 'x-api-key': 'k2' },
          body: { card: '4242' },
        },
        ctx(),
      ),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as NonRetryableError).code).toBe('HTTP_INSECURE_REDIRECT');
    const message = (error as Error).message;
    expect(message).toContain(`https://127.0.0.1:${secure.port}/to-http`);
    expect(message).toContain(`http://127.0.0.1:${plain.port}/json`);
    for (const secret of ['secret', 'k1', 'abc', 'pw', 'user']) expect(message).not.toContain(secret);
    expect(plain.received).toEqual([]);
    expect(secure.received.at(-1)?.url).toBe('/to-http?key=k1');
  });
});
