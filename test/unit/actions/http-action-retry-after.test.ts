/**
 * A 429 or 503 with a `Retry-After` header fails with `retryAfter` (seconds): its retry comes no
 * sooner. Other statuses, and values that are neither seconds nor an HTTP date, set none.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from './action-context.js';
import { type LocalServer, startServer } from './local-server.js';

let server: LocalServer;

const answer = (status: number, retryAfter: string) => (_req: unknown, res: ServerResponse) =>
  res.writeHead(status, { 'retry-after': retryAfter }).end('slow down');

beforeAll(async () => {
  server = await startServer({
    '/429-seconds': answer(429, '30'),
    '/503-date': answer(503, new Date(Date.now() + 120_000).toUTCString()),
    '/503-past': answer(503, 'Wed, 21 Oct 2015 07:28:00 GMT'),
    '/429-garbage': answer(429, 'soon'),
    '/500-seconds': answer(500, '30'),
  });
});

afterAll(async () => {
  await server.close();
});

const action = createHttpAction({ allowlist: ['127.0.0.1'] });
const retryAfterOf = async (path: string) =>
  (
    (await failure(action({ url: `${server.base}${path}` }, ctx()) as Promise<unknown>)) as {
      retryAfter?: unknown;
    }
  ).retryAfter;

describe('http action: Retry-After', () => {
  it('takes a number of seconds from a 429', async () => {
    expect(await retryAfterOf('/429-seconds')).toBe(30);
  });

  it('takes an HTTP date from a 503, counted from now (0 once past)', async () => {
    const seconds = await retryAfterOf('/503-date');
    expect(seconds).toBeGreaterThanOrEqual(115);
    expect(seconds).toBeLessThanOrEqual(121);
    expect(await retryAfterOf('/503-past')).toBe(0);
  });

  it('ignores a value that is neither, and the header on other statuses', async () => {
    expect(await retryAfterOf('/429-garbage')).toBeUndefined();
    expect(await retryAfterOf('/500-seconds')).toBeUndefined();
  });
});
