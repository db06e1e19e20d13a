/**
 * Closing the app while a client holds a request it never finishes sending (headers cut short, a
 * body shorter than its Content-Length): Node stops its request-timeout checks once the server
 * closes, so without a bound of its own `app.close()` (and `serve` on SIGTERM) waited for ever.
 */
import net from 'node:net';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { buildApp, REQUEST_TIMEOUT_MS } from '../../src/server/app.js';
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
  return { orch, app, closed };
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
    const { orch, app, closed } = await stalledClient(head);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let done = false;
    const closing = app.close().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    const late = new Promise((resolve) => setTimeout(resolve, 2000, 'still open'));
    expect(await Promise.race([Promise.all([closing, closed]).then(() => 'closed'), late])).toBe('closed');
    await orch.close();
  });

  it('closes at once a connection on which nothing was sent (a browser preconnect)', async () => {
    const { orch, app, closed } = await stalledClient('');
    const late = new Promise((resolve) => setTimeout(resolve, 2000, 'still open'));
    expect(await Promise.race([Promise.all([app.close(), closed]).then(() => 'closed'), late])).toBe(
      'closed',
    );
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
