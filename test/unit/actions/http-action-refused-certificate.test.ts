/**
 * A server certificate the TLS handshake refuses (self-signed here) fails the step at once as a
 * `NonRetryableError` coded `HTTP_TLS`: another attempt meets the same certificate (it failed as a
 * retryable `HTTP_NETWORK`, so every retry ran into it again). A status past 599, which HTTP does
 * not have, is not retried either (`HTTP_BAD_STATUS`).
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { NonRetryableError } from '../../../src/errors.js';
import { ctx, failure } from './action-context.js';
import { json, type LocalServer, startServer } from './local-server.js';
import { selfSignedCertificate } from './self-signed.js';

let secure: LocalServer;
let plain: LocalServer;
const action = createHttpAction({ allowlist: ['127.0.0.1'] });

beforeAll(async () => {
  secure = await startServer({ '/json': json(200, { ok: true }) }, selfSignedCertificate());
  plain = await startServer({
    '/odd': (_req: unknown, res: ServerResponse) => res.writeHead(799).end('odd'),
    '/599': (_req: unknown, res: ServerResponse) => res.writeHead(599).end('edge'),
  });
});

afterAll(async () => {
  await secure?.close();
  await plain?.close();
});

describe('http action: errors no retry can fix', () => {
  it("fails a refused server certificate as HTTP_TLS, naming Node's reason", async () => {
    const error = await failure(action({ url: `${secure.base}/json` }, ctx()) as Promise<unknown>);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.code).toBe('HTTP_TLS');
    expect(error.message).toMatch(
      new RegExp(
        `^GET ${secure.base}/json failed: the server's TLS certificate was refused \\(DEPTH_ZERO_SELF_SIGNED_CERT: .+\\)$`,
      ),
    );
  });

  it('fails a status past 599 as HTTP_BAD_STATUS, and keeps 599 a retryable HTTP_5XX', async () => {
    const odd = await failure(action({ url: `${plain.base}/odd` }, ctx()) as Promise<unknown>);
    expect(odd).toBeInstanceOf(NonRetryableError);
    expect(odd.code).toBe('HTTP_BAD_STATUS');
    expect(odd.message).toMatch(/^HTTP 799 /);
    const edge = await failure(action({ url: `${plain.base}/599` }, ctx()) as Promise<unknown>);
    expect(edge).not.toBeInstanceOf(NonRetryableError);
    expect(edge.code).toBe('HTTP_5XX');
  });
});
