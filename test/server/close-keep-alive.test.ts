/**
 * Closing the app while a keep-alive client's request is being answered: the answer ends the
 * connection, so the close does not wait for the client to let go of a connection gone idle
 * after the close began (Node closes only the connections idle when the close starts).
 */
import http from 'node:http';
import type net from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { buildApp } from '../../src/server/app.js';
import { TOKEN } from './helpers.js';

describe('app.close() with a keep-alive request in flight', () => {
  it('answers it with Connection: close and closes at once after', async () => {
    const orch = await createOrchestrator({ store: 'memory' });
    onTestFinished(() => orch.close());
    let arrived!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = await buildApp(orch, {
      token: TOKEN,
      plugins: [
        (scope) => {
          // The answer goes out once the close has begun.
          scope.addHook('preClose', async () => release());
          scope.get('/slow', async () => {
            arrived();
            await released;
            return { ok: true };
          });
        },
      ],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as net.AddressInfo;
    const serverSide = new Promise<net.Socket>((resolve) => app.server.once('connection', resolve));
    const agent = new http.Agent({ keepAlive: true });
    onTestFinished(() => agent.destroy());
    const answer = new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: '/slow', agent, headers: { authorization: `Bearer ${TOKEN}` } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res));
        },
      );
      req.on('error', reject);
    });
    await inHandler;
    const closing = app.close();
    const res = await answer;
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    // The server ends the connection with the answer (no timer, no client action), and the close
    // then ends: awaited as events, not raced against a real timer.
    const socket = await serverSide;
    await new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
    await closing;
  });
});
