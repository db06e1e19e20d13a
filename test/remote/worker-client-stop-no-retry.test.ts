/**
 * What `stop()` does to a task it aborts, as docs/remote-workers.md now says: it is failed with
 * WORKER_STOPPED, retryable, so the step's retry policy decides — a step with `retry` runs it
 * again on another worker, a step without one fails (the docs said it ran again elsewhere).
 */
import { describe, expect, it } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { gate } from '../helpers/orchestrator.js';
import { startServer, TOKEN } from './server.js';

describe('a task aborted by stop()', () => {
  it('fails a step without a retry policy with WORKER_STOPPED', async () => {
    const { url, orch } = await startServer();
    const started = gate();
    const w = createRemoteWorker({
      url,
      token: TOKEN,
      actions: {
        job: (_input, ctx) =>
          new Promise((_resolve, reject) => {
            started.open();
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
          }),
      },
    });
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    await w.stop();
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'WORKER_STOPPED', step: 'job' });
  });
});
