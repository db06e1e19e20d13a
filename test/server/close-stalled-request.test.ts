/**
 * Closing the app while a client holds a request it never finishes sending (headers cut short, a
 * body shorter than its Content-Length): Node stops its request-timeout checks once the server
 * closes, so without a bound of its own `app.close()` (and `serve` on SIGTERM) waited for ever.
 */
import net from 'node:net';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { buildApp, REQUEST_TIMEOUT_MS } from '../../src/server/app.js';
import { nextTurn } from '../helpers/orchestrator.js';
import { TOKEN } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A listening app and a raw socket to it that has sent `head` and nothing more. */
async function stalledClient(head: string) {
  const orch = await createOrchestrator({ store: 'memory' });
  const app = await buildApp(orch, { token: TOKEN });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as net.AddressInfo;
  // The server's end of the stalled connection (the first one made).
  const serverSide = new Promise<net.Socket>((resolve) => app.server.once('connection', resolve));
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  onTestFinished(() => {
    socket.destroy();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  await new Promise<void>((resolve) => socket.write(head, () => resolve()));
  // The server has read the partial request once a complete one on another connection is answered.
  await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'close' } });
  return { orch, app, closed, serverSocket: await serverSide };
}

describe('app.close() with a request the client never finishes sending', () => {
  it.each([
    ['headers cut short', 'GET /v1/workflows HTTP/1.1\r\nHost: x\r\n'],
    [
      'a body shorter than its Content-Length',
      `POST /v1/workflows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":',
    ],
  ])('ends that connection within the request timeout (%s)', async (_what, head) => {
    const { orch, app, closed, serverSocket } = await stalledClient(head);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let done = false;
    const closing = app.close().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect(done).toBe(false);
    expect(serverSocket.destroyed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    // Ended by the close's own timer, at once: the rest (the client seeing it, the close ending)
    // follows from that, with no wait on the clock.
    expect(serverSocket.destroyed).toBe(true);
    await Promise.all([closing, closed]);
    await orch.close();
  });

  it('closes at once a connection on which nothing was sent (a browser preconnect)', async () => {
    const { orch, app, closed, serverSocket } = await stalledClient('');
    // With the clock stopped, the request timeout cannot be what ends it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const closing = app.close();
    expect(serverSocket.destroyed).toBe(false);
    // The preClose hook ends it as the close begins: a few turns, no time.
    for (let turn = 0; turn < 50 && !serverSocket.destroyed; turn++) await nextTurn();
    expect(serverSocket.destroyed).toBe(true);
    await Promise.all([closing, closed]);
    await orch.close();
  });

  it('leaves no timer behind when nothing stalls the close', async () => {
    const orch = await createOrchestrator({ store: 'memory' });
    const app = await buildApp(orch, { token: TOKEN });
    await app.listen({ port: 0, host: '127.0.0.1' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await app.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
    await orch.close();
  });
});
