/**
 * With several nodes, `start()`'s rejection names the node that refused the registration and its
 * status: the node's own message ("Missing or invalid bearer token") did not say which of the
 * URLs it came from.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { startServer, TOKEN } from './server.js';

describe('start() refused by one node of several', () => {
  it('rejects naming that node, its status and its reason', async () => {
    const a = await startServer();
    const b = await startServer({ app: { token: 'another-token-0123456789' } });
    const w = createRemoteWorker({ urls: [a.url, b.url], token: TOKEN, actions: { job: () => 1 } });
    onTestFinished(() => w.stop());
    const refusal = await w.start().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(String((refusal as Error).message)).toMatch(
      `${b.url} refused the registration (HTTP 401 UNAUTHORIZED): Missing or invalid bearer token`,
    );
    // The node that took it was told the worker is gone.
    expect(a.hub.snapshot().workers).toEqual([]);
  });
});
