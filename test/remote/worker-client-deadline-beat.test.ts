/**
 * The worker asks the node about a task just past its deadline: the handler's signal aborts as
 * the step times out, not at the next regular heartbeat a third of a lease later (10 s with the
 * default 30 s lease), its work wasted meanwhile while the queue waited for the slot.
 */
import { expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { startServer, TOKEN } from './server.js';

it("aborts the handler's signal soon after the step's deadline, with a long lease", async () => {
  const { url, orch } = await startServer({ hub: { leaseSeconds: 30 } });
  let startedAt = 0;
  let abortedAfter = Number.NaN;
  const w = createRemoteWorker({
    token: TOKEN,
    url,
    actions: {
      slow: (_input, ctx) =>
        new Promise((_resolve, reject) => {
          startedAt = performance.now();
          ctx.signal.addEventListener('abort', () => {
            abortedAfter = performance.now() - startedAt;
            reject(ctx.signal.reason);
          });
        }),
    },
  });
  onTestFinished(() => w.stop());
  await w.start();
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow', timeout: 0.5 }]);
  const id = await orch.workflowEngine.executeWorkflow('w');
  const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
  expect(status).toMatchObject({ status: 'failed', error: { code: 'STEP_TIMEOUT' } });
  const deadline = Date.now() + 5_000;
  while (Number.isNaN(abortedAfter) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // Within about the step's half second: a regular heartbeat would come 10 s after the start.
  expect(abortedAfter).toBeLessThan(3_000);
});
