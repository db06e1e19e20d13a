/**
 * An error status is the step's error whatever the body that comes with it: a 503 whose error page
 * is larger than the response cap stays a retryable HTTP_5XX (it failed as a non-retryable
 * HTTP_RESPONSE_TOO_LARGE, so a passing outage failed the step for good).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { NonRetryableError } from '../../../src/errors.js';
import { ctx, failure } from './action-context.js';
import { type LocalServer, startServer } from './local-server.js';

let server: LocalServer;

const page = (status: number) => (_req: unknown, res: import('node:http').ServerResponse) =>
  res.writeHead(status, { 'content-type': 'text/html' }).end('x'.repeat(20_000));

beforeAll(async () => {
  server = await startServer({
    '/503': page(503),
    '/429': page(429),
    '/404': page(404),
    '/200': page(200),
  });
});

afterAll(async () => {
  await server.close();
});

const action = createHttpAction({ allowlist: ['127.0.0.1'], maxResponseBytes: 10_000 });

describe('http action: an error status with a body past the cap', () => {
  it('fails a 503 as a retryable HTTP_5XX', async () => {
    const error = await failure(action({ url: `${server.base}/503` }, ctx()) as Promise<unknown>);
    expect(error.code).toBe('HTTP_5XX');
    expect(error).not.toBeInstanceOf(NonRetryableError);
  });

  it('fails a 429 as a retryable HTTP_429 and a 404 as HTTP_4XX', async () => {
    const slow = await failure(action({ url: `${server.base}/429` }, ctx()) as Promise<unknown>);
    expect(slow.code).toBe('HTTP_429');
    const missing = await failure(action({ url: `${server.base}/404` }, ctx()) as Promise<unknown>);
    expect(missing.code).toBe('HTTP_4XX');
  });

  it('still fails a success past the cap as HTTP_RESPONSE_TOO_LARGE', async () => {
    const error = await failure(action({ url: `${server.base}/200` }, ctx()) as Promise<unknown>);
    expect(error.code).toBe('HTTP_RESPONSE_TOO_LARGE');
  });
});
