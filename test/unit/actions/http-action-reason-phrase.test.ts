/**
 * A server's reason phrase is repeated in the step's error cut as other values are: a 15 KB one
 * made a 15 KB error message, stored with every attempt and shown in status, logs and the
 * dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from './action-context.js';
import { type LocalServer, startServer } from './local-server.js';

let server: LocalServer;
const reason = `Service Unavailable ${'x'.repeat(15_000)}`;

beforeAll(async () => {
  server = await startServer({
    '/long-reason': (_req, res) => {
      res.statusMessage = reason;
      res.writeHead(503).end();
    },
    '/short-reason': (_req, res) => {
      res.statusMessage = 'Try Later';
      res.writeHead(503).end();
    },
  });
});

afterAll(async () => {
  await server.close();
});

const action = createHttpAction({ allowlist: ['127.0.0.1'] });

describe("http action: the server's reason phrase", () => {
  it('is cut in the error message, with its length', async () => {
    const error = await failure(action({ url: `${server.base}/long-reason` }, ctx()) as Promise<unknown>);
    expect(error.code).toBe('HTTP_5XX');
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toContain('HTTP 503 Service Unavailable xxx');
    expect(error.message).toContain(`(${reason.length} characters)`);
    expect(error.message).toContain(`from GET ${server.base}/long-reason`);
  });

  it('is repeated whole when short', async () => {
    const error = await failure(action({ url: `${server.base}/short-reason` }, ctx()) as Promise<unknown>);
    expect(error.message).toBe(`HTTP 503 Try Later from GET ${server.base}/short-reason`);
  });
});
