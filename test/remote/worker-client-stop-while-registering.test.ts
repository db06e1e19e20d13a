/**
 * `stop()` while a registration is in flight (right after `start()`, or a re-registration after a
 * 404): the node may already have registered the worker, so the worker waits for the answer and
 * deregisters. It used to abort the request, and the registration it never learned of stayed
 * listed (counted against `maxWorkers`) until its lease ran out.
 */
import { describe, expect, it } from 'vitest';
import { createRemoteWorker, type RemoteWorker } from '../../src/index.js';
import { startServer, TOKEN } from './server.js';

describe('stop() while the worker registers', () => {
  it('deregisters the registration the node made as the stop came', async () => {
    const { url, hub } = await startServer();
    const w: RemoteWorker = createRemoteWorker({ url, token: TOKEN, actions: { job: () => 1 } });
    let stopped: Promise<void> | null = null;
    const register = hub.register.bind(hub);
    // The node registers the worker, and the worker is stopped before the answer reaches it.
    hub.register = (request) => {
      const answer = register(request);
      stopped ??= w.stop();
      return answer;
    };
    const started = w.start();
    await expect(started).resolves.toBeUndefined();
    await stopped;
    expect(hub.snapshot().workers).toEqual([]);
    expect(w.registrations).toEqual([{ url, workerId: null }]);
  });
});
