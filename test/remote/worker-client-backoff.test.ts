/**
 * The remote worker's back-off after a node failed its requests: one outage counts once, however
 * many slots had a request in flight when it began.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { eventually, startServer, TOKEN } from './server.js';

describe('a remote worker whose node drops every connection at once', () => {
  it('backs off once for the outage, not once per slot whose poll failed, and serves again at once', async () => {
    const { url, orch, hub, app } = await startServer({ hub: { pollSeconds: 5 } });
    const failures: number[] = [];
    const w = createRemoteWorker({
      url,
      token: TOKEN,
      concurrency: 8,
      actions: { job: () => 'back' },
      logger: {
        info() {},
        debug() {},
        error() {},
        warn: (obj) => {
          const counted = (obj as { failures?: unknown }).failures;
          if (typeof counted === 'number') failures.push(counted);
        },
      },
    });
    onTestFinished(() => w.stop());
    await w.start();
    await eventually(() => hub.snapshot().workers[0]?.polling === 8, 'eight polls waiting');
    // A node restarting (or a proxy in front of it) cuts every open poll at the same moment.
    app.server.closeAllConnections();
    await eventually(() => failures.length > 0, 'the failed polls');
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    // Eight failures counted as eight would back off 0.5 s × 2^7, capped to 30 s (15 s to 30 s with jitter).
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 3 });
    expect(status.outputData).toEqual({ job: 'back' });
    expect(Math.max(...failures)).toBe(1);
  });
});
