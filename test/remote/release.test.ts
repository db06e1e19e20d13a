/**
 * Giving a task back (`POST .../tasks/:taskId/release`): a worker that stops before it finishes a
 * task hands it back instead of failing it, so the next poll gets it as the same attempt — no
 * attempt is spent, and a step without `retry` does not fail because a worker was restarted.
 * `stop()` of the TypeScript worker releases the tasks it aborts.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, createRemoteWorker } from '../../src/index.js';
import { finishWithClock, gate } from '../helpers/orchestrator.js';
import { flush, heldTask, nextTask, remoteSetup } from './helpers.js';
import { startServer, TOKEN } from './server.js';

describe('hub.release', () => {
  it('puts a held task back at the head of its queue, as the same attempt, for any worker', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const first = hub.register({ actions: ['stt'] }).workerId;
    const second = hub.register({ actions: ['stt'] }).workerId;
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await flush(clock);
    const task = await nextTask(hub, first);
    hub.release(first, task.taskId);
    expect(() => hub.complete(first, task.taskId, 'late')).toThrow(ConflictError);
    expect(() => hub.release(first, task.taskId)).toThrow(/not leased to worker/);
    const again = await nextTask(hub, second);
    expect(again).toEqual(task);
    hub.complete(second, again.taskId, 'done');
    const status = await finishWithClock(orch, clock, id);
    expect(status.outputData).toEqual({ stt: 'done' });
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it('refuses (409) a task that was cancelled while held', async () => {
    const { orch, hub, workerId, id, task } = await heldTask();
    await orch.workflowEngine.cancelWorkflow(id);
    expect(() => hub.release(workerId, task.taskId)).toThrow(/was cancelled/);
    expect(hub.snapshot().queued).toEqual({});
  });
});

describe('stop() of the TypeScript worker', () => {
  it('gives the tasks it aborts back: a step without retry completes on the next worker', async () => {
    const { url, orch } = await startServer();
    const started = gate();
    const first = createRemoteWorker({
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
    await first.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    await first.stop();
    const second = createRemoteWorker({ url, token: TOKEN, actions: { job: () => 'second' } });
    await second.start();
    try {
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
      expect(status.outputData).toEqual({ job: 'second' });
      expect(status.steps[0]?.attempts).toBe(1);
    } finally {
      await second.stop();
    }
  });
});
