/**
 * An error status's reason phrase is the server's own text, repeated in the `http` action's step
 * error (stored, listed, shown on the dashboard, logged) before the body's excerpt; the excerpt
 * had the request's secrets redacted, the reason phrase did not (`401 Token … revoked`). It is now
 * redacted as the excerpt is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from '../actions/action-context.js';
import { type LocalServer, startServer } from '../actions/local-server.js';

const SECRET = 'Rp4ReasonPhraseSecret';
let server: LocalServer;

beforeAll(async () => {
  server = await startServer({
    '/revoked': (req, res) => {
      res.statusMessage = `Token ${String(req.headers.authorization).slice(7)} revoked`;
      res.writeHead(401).end();
    },
  });
});
afterAll(() => server.close());

describe('the reason phrase of an error status', () => {
  it('has the secrets the request sent redacted, as the excerpt has', async () => {
    const action = createHttpAction({ allowlist: ['127.0.0.1'] });
    const input = { url: `${server.base}/revoked`, headers: { Authorization: `Bearer ${SECRET}` } };
    const error = await failure(action(input, ctx()) as Promise<unknown>);
    expect(error.message).toBe(`HTTP 401 Token [redacted] revoked from GET ${server.base}/revoked`);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });
});
