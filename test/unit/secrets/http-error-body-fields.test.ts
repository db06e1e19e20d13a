/**
 * The excerpt of an error body in the `http` action's step error (stored, listed, shown on the
 * dashboard, logged) redacted only the values the request sent: a token, password or key the
 * server answered itself (`{"error":"invalid_scope","access_token":"…"}`, a debug echo of a
 * client's credentials) was repeated whole. The value of each JSON field named like a secret is
 * now redacted, its name kept; ordinary fields (`key`, `max_tokens`, `author`) are left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSecretName } from '../../../src/secret-names.js';
import { json, type LocalServer, startServer } from '../actions/local-server.js';
import { httpFailureMessage } from './refusal.js';

const SECRET = 'Sv9ServerMintedSecret';
let server: LocalServer;

beforeAll(async () => {
  server = await startServer({
    '/token': json(400, {
      error: 'invalid_scope',
      access_token: SECRET,
      token_type: 'Bearer',
      scope: 'read',
    }),
    '/nested': json(401, {
      error: 'bad client',
      client: { clientSecret: SECRET, 'X-Api-Key': `k-${SECRET}`, otp: 98765432 },
    }),
    '/as-string': json(422, { error: 'bad body', body: JSON.stringify({ password: SECRET, user: 'ann' }) }),
    '/ordinary': json(404, { key: 'photos/1.jpg', max_tokens: 5000, author: 'Ann Lee' }),
    '/cut': (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(`{"note":"${'n'.repeat(470)}","refresh_token":"${SECRET.repeat(1000)}"}`);
    },
  });
});
afterAll(() => server.close());

const message = (path: string) => httpFailureMessage(`${server.base}${path}`, SECRET);

describe('an error body field named like a secret', () => {
  it('has its value redacted, its name and the other fields kept', async () => {
    expect(await message('/token')).toBe(
      `HTTP 400 Bad Request from GET ${server.base}/token: {"error":"invalid_scope","access_token":"[redacted]","token_type":"Bearer","scope":"read"}`,
    );
  });

  it('nested, in camelCase or as a header name, and a number', async () => {
    expect(await message('/nested')).toBe(
      `HTTP 401 Unauthorized from GET ${server.base}/nested: {"error":"bad client","client":{"clientSecret":"[redacted]","X-Api-Key":"[redacted]","otp":[redacted]}}`,
    );
  });

  it('in JSON the body holds as a string', async () => {
    expect(await message('/as-string')).toBe(
      `HTTP 422 Unprocessable Entity from GET ${server.base}/as-string: {"error":"bad body","body":"{\\"password\\":\\"[redacted]\\",\\"user\\":\\"ann\\"}"}`,
    );
  });

  it('running past the part of the body read', async () => {
    const shown = await message('/cut');
    expect(shown).toContain(`"refresh_token":"[redacted]… (body of`);
  });

  it('not for ordinary names', async () => {
    expect(await message('/ordinary')).toBe(
      `HTTP 404 Not Found from GET ${server.base}/ordinary: {"key":"photos/1.jpg","max_tokens":5000,"author":"Ann Lee"}`,
    );
  });
});

describe('isSecretName', () => {
  it.each([
    'password',
    'db_passwd',
    'client_secret',
    'clientsecret',
    'apiKey',
    'api-key',
    'X-Api-Key',
    'accessKeyId',
    'access_token',
    'refreshToken',
    'csrftoken',
    'Authorization',
    'sig',
    'credentials',
    'private_key',
    'sessionId',
    'token',
  ])('%s is', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'key',
    'max_tokens',
    'author',
    'pin',
    'id',
    'voice',
    'idempotencyKey',
    'keyword',
    'monkey',
    'token_type',
    'tokenUrl',
    'password_required',
    'SecretName',
    'auth_status',
  ])('%s is not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});
