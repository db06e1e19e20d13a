/**
 * The server name a TLS connection sends (SNI) is the URL's host without a fully qualified name's
 * trailing dot (RFC 6066 §3): `https://localhost./` sent `localhost.`, which servers that route by
 * name do not know.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createHttpAction, type HttpActionOutput } from '../../../src/actions/http-action.js';
import { ctx } from './action-context.js';
import { selfSignedCertificate } from './self-signed.js';

let server: Server;
let port = 0;
const names: (string | false)[] = [];

beforeAll(async () => {
  // The certificate is self-signed: this file's connections skip verification.
  vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
  server = createServer(selfSignedCertificate(), (_req, res) => res.writeHead(200).end('ok'));
  server.on('secureConnection', (socket) =>
    names.push((socket as { servername?: string | false }).servername ?? false),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  vi.unstubAllEnvs();
});

const action = createHttpAction({ allowlist: ['127.0.0.1', 'localhost'] });

it('sends the host without its trailing dot as the server name', async () => {
  names.length = 0;
  const out = (await action({ url: `https://localhost.:${port}/` }, ctx())) as HttpActionOutput;
  expect(out.status).toBe(200);
  const plain = (await action({ url: `https://localhost:${port}/` }, ctx())) as HttpActionOutput;
  expect(plain.status).toBe(200);
  expect(names).toEqual(['localhost', 'localhost']);
});

it('sends no server name for an IP address', async () => {
  names.length = 0;
  await action({ url: `https://127.0.0.1:${port}/` }, ctx());
  expect(names).toEqual([false]);
});
