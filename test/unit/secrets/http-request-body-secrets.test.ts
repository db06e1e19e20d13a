/**
 * The `http` action's error excerpt did not redact anything of the request body (README: "nor the
 * request body"), so a server quoting a refused credential in its words (`client … with secret …
 * is unknown`) or the form it was sent (an OAuth token request's `client_secret=…`) had it stored,
 * listed, shown and logged whole. A body's values under names that look like secrets (JSON or a
 * form, nested too) are now redacted where they appear; its other values are still shown, as a
 * validation error quotes them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from '../actions/action-context.js';
import { type LocalServer, startServer } from '../actions/local-server.js';

const SECRET = 'Bd7RequestBodySecret';
let server: LocalServer;

const say =
  (status: number, words: (body: string) => string) =>
  (_req: IncomingMessage, res: ServerResponse, body: string) =>
    res.writeHead(status, { 'content-type': 'text/plain' }).end(words(body));

beforeAll(async () => {
  server = await startServer({
    '/words': say(401, (body) => {
      const parsed = JSON.parse(body) as { client_id: string; client_secret: string };
      return `client ${parsed.client_id} with secret ${parsed.client_secret} is unknown`;
    }),
    '/nested': say(401, (body) => {
      const parsed = JSON.parse(body) as { login: { credentials: { pass: string } } };
      return `login refused for pass ${parsed.login.credentials.pass}`;
    }),
    '/form': say(400, (body) => `invalid_client for ${body}`),
    '/voice': say(422, (body) => `voice ${(JSON.parse(body) as { voice: string }).voice} is unknown`),
  });
});
afterAll(() => server.close());

const action = createHttpAction({ allowlist: ['127.0.0.1'] });

async function message(path: string, body: unknown, headers?: Record<string, string>): Promise<string> {
  const input = { url: `${server.base}${path}`, method: 'POST', body, ...(headers ? { headers } : {}) };
  const error = await failure(action(input, ctx()) as Promise<unknown>);
  expect(JSON.stringify(error)).not.toContain(SECRET);
  return error.message;
}

describe('a request body value under a secret-looking name, quoted by the server', () => {
  it('is redacted from a JSON body, the other values kept', async () => {
    expect(await message('/words', { client_id: 'app-main', client_secret: SECRET })).toBe(
      `HTTP 401 Unauthorized from POST ${server.base}/words: client app-main with secret [redacted] is unknown`,
    );
  });

  it('is redacted from a JSON body given as a string, and nested under the name', async () => {
    const body = JSON.stringify({ login: { credentials: { user: 'ann', pass: SECRET } } });
    expect(await message('/nested', body)).toBe(
      `HTTP 401 Unauthorized from POST ${server.base}/nested: login refused for pass [redacted]`,
    );
  });

  it('is redacted from a form, as written and decoded', async () => {
    const form = `grant_type=client_credentials&client_id=app-main&client_secret=${SECRET}%2B1`;
    expect(await message('/form', form, { 'Content-Type': 'application/x-www-form-urlencoded' })).toBe(
      `HTTP 400 Bad Request from POST ${server.base}/form: invalid_client for grant_type=client_credentials&client_id=app-main&client_secret=[redacted]`,
    );
  });

  it('an ordinary value is still shown', async () => {
    expect(await message('/voice', { voice: 'nova-42' })).toBe(
      `HTTP 422 Unprocessable Entity from POST ${server.base}/voice: voice nova-42 is unknown`,
    );
  });
});
