/**
 * A poll answered 404 right after the worker registered: the node polled never knew the worker,
 * as when its URL leads to several nodes behind a round-robin load balancer (the registration went
 * to one node, the poll to another). The client took it for a node that forgot the worker and
 * registered again at once, spinning a registration and a 404 per round trip for as long as it
 * ran. It now backs off first (0.5 s doubling to 30 s) and says why; a node that forgot a
 * registration it knew (a restart) is still registered with again at once.
 */
import { createServer } from 'node:http';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { listenForTest } from '../helpers/listen.js';
import { recordingLogger } from '../helpers/one-task-node.js';

/** Resolves once `check` holds, looking after each turn of the event loop (no timers: they are fake here). */
async function when(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * A node that registers workers (`rw_1`, `rw_2`, …) and answers their polls 404 while `knows`
 * says it does not know them (else 204); deregistration answers 204.
 */
async function node(knows: (registration: number) => boolean) {
  const seen: string[] = [];
  let registrations = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (req.method === 'POST' && req.url === '/v1/remote-workers') {
        registrations++;
        seen.push(`register rw_${registrations}`);
        return reply(201, { workerId: `rw_${registrations}`, leaseSeconds: 30, pollSeconds: 1 });
      }
      const poll = /^\/v1\/remote-workers\/rw_(\d+)\/poll$/.exec(req.url ?? '');
      if (!poll) return reply(204);
      const known = knows(Number(poll[1]));
      seen.push(`poll rw_${poll[1]} ${known ? 204 : 404}`);
      if (known) return reply(204);
      reply(404, {
        error: { code: 'NOT_FOUND', message: `Remote worker 'rw_${poll[1]}' is not registered` },
      });
    });
  });
  return { url: await listenForTest(server), seen, registrations: () => registrations };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('a remote worker whose first poll after registering answers 404', () => {
  it('backs off before registering again (0.5 s, then 1 s, …), saying the URL may lead to several nodes', async () => {
    const n = await node(() => false);
    const { warnings, logger } = recordingLogger();
    // The back-off's jitter at its top: exactly 0.5 s, then 1 s.
    vi.spyOn(Math, 'random').mockReturnValue(1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const w = createRemoteWorker({ url: n.url, token: 'tok-0123456789', actions: { job: () => 1 }, logger });
    onTestFinished(async () => {
      vi.useRealTimers();
      await w.stop();
    });
    const backoffs = () =>
      warnings.filter((x) => /did not know the worker it had just registered/.test(x.msg ?? ''));

    await w.start();
    // Either the back-off is announced, or (the spin) the worker registers again at once.
    await when(() => backoffs().length === 1 || n.registrations() > 1, 'a back-off or a registration');
    expect(n.seen).toEqual(['register rw_1', 'poll rw_1 404']);
    expect(backoffs()[0]?.obj).toMatchObject({ url: n.url, workerId: 'rw_1', times: 1, retryInMs: 500 });
    expect(backoffs()[0]?.msg).toMatch(/several nodes \(a round-robin load balancer\)/);
    expect(w.registrations).toEqual([{ url: n.url, workerId: null }]);

    await vi.advanceTimersByTimeAsync(499);
    expect(n.registrations()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await when(() => backoffs().length === 2, 'the second back-off');
    expect(n.seen).toEqual(['register rw_1', 'poll rw_1 404', 'register rw_2', 'poll rw_2 404']);
    expect(backoffs()[1]?.obj).toMatchObject({ workerId: 'rw_2', times: 2, retryInMs: 1000 });

    await vi.advanceTimersByTimeAsync(999);
    expect(n.registrations()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await when(() => n.registrations() === 3, 'the third registration');
  });

  it('registers again at once when the node forgets a registration it knew (a restart)', async () => {
    // rw_1 is known at its first poll, then forgotten; rw_2 is known.
    let polls = 0;
    const n = await node((registration) => registration === 2 || ++polls === 1);
    const { warnings, logger } = recordingLogger();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const w = createRemoteWorker({ url: n.url, token: 'tok-0123456789', actions: { job: () => 1 }, logger });
    onTestFinished(async () => {
      vi.useRealTimers();
      await w.stop();
    });
    await w.start();
    // No timer needs to fire for it: no back-off.
    await when(() => n.seen.includes('poll rw_2 204'), 'a poll of the new registration');
    expect(n.seen.slice(0, 5)).toEqual([
      'register rw_1',
      'poll rw_1 204',
      'poll rw_1 404',
      'register rw_2',
      'poll rw_2 204',
    ]);
    expect(warnings.map((x) => x.msg)).toEqual([expect.stringMatching(/registration lost/)]);
  });
});
