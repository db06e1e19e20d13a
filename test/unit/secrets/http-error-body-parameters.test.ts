/**
 * The excerpt of an error body redacted secret-named JSON fields, but not the same value as a
 * query or form parameter: an OAuth server answering in a form (`error=…&access_token=…`), an
 * error page linking to `/callback?token=…`, a `password=…` in a text message were repeated
 * whole in the stored step error. The value of each parameter named like a secret is now
 * redacted, its name and the other parameters kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startServer } from '../actions/local-server.js';
import { httpFailureMessage } from './refusal.js';

const SECRET = 'Pm3ParamSecretValue';
let server: LocalServer;

/** Answers `status` with `body` as `type`. */
const text = (status: number, type: string, body: string) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': type }).end(body);

beforeAll(async () => {
  server = await startServer({
    '/form': text(
      400,
      'application/x-www-form-urlencoded',
      `error=invalid_scope&access_token=${SECRET}&state=xyz`,
    ),
    '/page': text(
      403,
      'text/html',
      `<a href="/callback?code=ok&amp;token=${SECRET}">retry</a> or set password=${SECRET}x, then go`,
    ),
    '/plain': text(400, 'text/plain', 'bad page=2&limit=500 (key=photos/1.jpg)'),
  });
});
afterAll(() => server.close());

const message = (path: string) => httpFailureMessage(`${server.base}${path}`, SECRET);

describe('an error body parameter named like a secret', () => {
  it('of a form has its value redacted, the others kept', async () => {
    expect(await message('/form')).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/form: error=invalid_scope&access_token=[redacted]&state=xyz`,
    );
  });

  it('in a link of a page and in words', async () => {
    expect(await message('/page')).toBe(
      `HTTP 403 Forbidden from GET ${server.base}/page: <a href="/callback?code=ok&amp;token=[redacted]">retry</a> or set password=[redacted], then go`,
    );
  });

  it('not for ordinary names', async () => {
    expect(await message('/plain')).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/plain: bad page=2&limit=500 (key=photos/1.jpg)`,
    );
  });
});
