/**
 * The TypeScript remote worker against a URL that is not an orchestrator (a wrong URL, a proxy,
 * an echo service): answers of the right status without the protocol's fields must not make it
 * register or poll in a tight loop, nor take a garbage lease.
 */
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { MAX_POLL_WAIT_SECONDS } from '../../src/remote/protocol.js';
import { listenForTest } from '../helpers/listen.js';
import { until } from '../helpers/orchestrator.js';

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
  const base = await listenForTest(server);
  return { url: base, count: (kind) => seen.filter((s) => s.includes(kind)).length };
}

const registered = { workerId: 'rw_x', leaseSeconds: 30, pollSeconds: 1 };

describe('a remote worker pointed at something other than an orchestrator', () => {
  it('rejects start() when the registration answer has no usable workerId and lease, instead of registering in a loop', async () => {
    for (const body of [{}, { workerId: 'rw_x' }, { ...registered, leaseSeconds: 'soon' }]) {
      const { url, count } = await oddServer(() => [201, body]);
      const w = createRemoteWorker({ url, token: 't', actions: { job: () => 1 } });
      onTestFinished(() => w.stop());
      await expect(w.start()).rejects.toThrow(/not a remote-worker registration/);
      // stop() waits for the worker's slots and its registrations in flight: none was left going.
      await w.stop();
      expect(count('POST /v1/remote-workers')).toBe(1);
    }
  });

  // The answer is repeated cut to 200 characters of its JSON: `{"note":"` and 190 x put an
  // emoji's first half at the last place kept, left alone in the message by slice(); the cut
  // now leaves the emoji out and says it cut.
  it('repeats the answer in the error without splitting an emoji at the cut', async () => {
    const { url } = await oddServer(() => [201, { note: `${'x'.repeat(190)}😀 after the cut` }]);
    const w = createRemoteWorker({ url, token: 't', actions: { job: () => 1 } });
    onTestFinished(() => w.stop());
    const error = await w.start().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(
      `answered HTTP 201 with {"note":"${'x'.repeat(190)}…: not a remote-worker`,
    );
    expect(error?.message).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('backs off when a poll answers 200 without a task, instead of polling in a loop', async () => {
    const polls: number[] = [];
    const { url } = await oddServer((method, path) => {
      if (path === '/v1/remote-workers') return [201, registered];
      if (method === 'DELETE') return [204, undefined];
      polls.push(performance.now());
      return [200, { waitSeconds: 1 }];
    });
    const w = createRemoteWorker({ url, token: 't', actions: { job: () => 1 } });
    onTestFinished(() => w.stop());
    await w.start();
    await until(() => polls.length >= 2);
    // The second poll came after a back-off (at least 250 ms, the shortest first one), not at
    // once: a lower bound, which a loaded machine only makes longer.
    expect(polls[1]! - polls[0]!).toBeGreaterThanOrEqual(240);
  });
});

describe('a registration answer with a poll wait past what the protocol allows', () => {
  it('polls with at most the protocol wait and a request timeout Node can run', async () => {
    const waits: unknown[] = [];
    const warnings: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        if (req.url === '/v1/remote-workers') {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ...registered, pollSeconds: 1e7 }));
          return;
        }
        if (req.url?.endsWith('/poll'))
          waits.push((JSON.parse(body) as { waitSeconds?: unknown }).waitSeconds);
        // A poll finds nothing (after a moment, as a long poll would).
        setTimeout(() => {
          res.writeHead(204);
          res.end();
        }, 50);
      });
    });
    const base = await listenForTest(server);
    const logger = {
      info() {},
      debug() {},
      error() {},
      warn(_o: object, msg?: string) {
        warnings.push(msg ?? '');
      },
    };
    const w = createRemoteWorker({
      url: base,
      token: 't',
      actions: { job: () => 1 },
      logger,
    });
    onTestFinished(() => w.stop());
    await w.start();
    await until(() => waits.length >= 3);
    expect(waits.every((s) => s === MAX_POLL_WAIT_SECONDS)).toBe(true);
    // Node runs a timer past 2^31-1 ms after 1 ms: every poll used to time out at once.
    expect(warnings).toEqual([]);
  });
});
