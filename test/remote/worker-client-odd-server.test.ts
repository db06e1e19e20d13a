/**
 * The TypeScript remote worker against a URL that is not an orchestrator (a wrong URL, a proxy,
 * an echo service): answers of the right status without the protocol's fields must not make it
 * register or poll in a tight loop, nor take a garbage lease.
 */
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';

/** A server answering every request with `answer(method, url)`; counts requests by path kind. */
async function oddServer(
  answer: (method: string, url: string) => [number, unknown],
): Promise<{ url: string; count: (kind: string) => number }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      const [status, body] = answer(req.method ?? '', req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, count: (kind) => seen.filter((s) => s.includes(kind)).length };
}

const registered = { workerId: 'rw_x', leaseSeconds: 30, pollSeconds: 1 };

describe('a remote worker pointed at something other than an orchestrator', () => {
  it('rejects start() when the registration answer has no usable workerId and lease, instead of registering in a loop', async () => {
    for (const body of [{}, { workerId: 'rw_x' }, { ...registered, leaseSeconds: 'soon' }]) {
      const { url, count } = await oddServer(() => [201, body]);
      const w = createRemoteWorker({ url, token: 't', actions: { job: () => 1 } });
      onTestFinished(() => w.stop());
      await expect(w.start()).rejects.toThrow(/not a remote-worker registration/);
      await new Promise((r) => setTimeout(r, 300));
      expect(count('POST /v1/remote-workers')).toBe(1);
    }
  });

  it('backs off when a poll answers 200 without a task, instead of polling in a loop', async () => {
    const { url, count } = await oddServer((method, path) =>
      path === '/v1/remote-workers'
        ? [201, registered]
        : method === 'DELETE'
          ? [204, undefined]
          : [200, { waitSeconds: 1 }],
    );
    const w = createRemoteWorker({ url, token: 't', actions: { job: () => 1 } });
    onTestFinished(() => w.stop());
    await w.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(count('/poll')).toBeLessThan(10);
  });
});
