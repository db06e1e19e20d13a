/**
 * A remote worker's step waits in the hub's queue until a worker takes its task: that wait is no
 * work of the step. The optimizer keeps it apart (`queueAvg`) and its advice says to add workers,
 * instead of calling the step slow. The wait is stored with the step's end (`queuedMs`), so the
 * figures read back from the store (`?source=store`, any node) have it too.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type Orchestrator, RemoteWorkerHub, type WorkflowOptions } from '../../src/index.js';
import { storedPerformance } from '../../src/performance/stored-performance.js';
import { finishWithClock, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { nextTask } from './helpers.js';

/**
 * A `voice` workflow on a store of `kind`: `stt` served by the hub (2 attempts, 1 s apart), then
 * `store` in process.
 */
async function voiceOnHub(kind: (typeof STORE_KINDS)[number], options?: WorkflowOptions) {
  const clock = new FakeClock();
  const hub = new RemoteWorkerHub({ clock, leaseSeconds: 600 });
  const orch = await withOrchestrator({
    clock,
    store: storeUrl(kind),
    actions: { ...hub.actions(['stt']), store: () => 'stored' },
  });
  await orch.workflowEngine.defineWorkflow(
    'voice',
    [{ name: 'stt', retry: { maxAttempts: 2, initialDelay: 1 } }, { name: 'store' }],
    options,
  );
  return { clock, hub, orch, engine: orch.workflowEngine };
}

/** The `stt` step's record of execution `id`, as stored. */
async function storedStt(orch: Orchestrator, id: string) {
  return (await orch.store.getExecution(id))!.steps.find((s) => s.name === 'stt')!;
}

/** The `stt` step's figures worked out from the store, as `?source=store` shows them. */
async function sttFromStore(orch: Orchestrator) {
  const figures = await storedPerformance(
    { store: orch.store, definition: (wf, version) => orch.workflowEngine.getWorkflow(wf, version) },
    'voice',
    100,
    orch.performanceOptimizer.slowThreshold,
  );
  return figures.steps.find((s) => s.name === 'stt');
}

describe('time a remote step waits for a worker', () => {
  it('is kept apart from its work and named in the advice', async () => {
    const clock = new FakeClock();
    const hub = new RemoteWorkerHub({ clock, leaseSeconds: 600 });
    const orch = await withOrchestrator({
      clock,
      slowThreshold: 1,
      actions: { ...hub.actions(['stt']), store: () => clock.sleep(1_000).then(() => 'stored') },
    });
    await orch.workflowEngine.defineWorkflow('voice', [{ name: 'stt' }, { name: 'store' }]);
    const id = await orch.workflowEngine.executeWorkflow('voice');
    // No worker for 57 s; then one takes the task and works 2 s on it.
    await clock.advance(57_000);
    const { workerId } = hub.register({ actions: ['stt'] });
    const task = await nextTask(hub, workerId);
    await clock.advance(2_000);
    hub.complete(workerId, task.taskId, { text: 'hi' });
    expect((await finishWithClock(orch, clock, id)).status).toBe('completed');
    hub.close();

    const po = orch.performanceOptimizer;
    expect(po.getStepStats('voice').stt).toMatchObject({
      count: 1,
      avg: 59_000,
      queueAvg: 57_000,
      waitAvg: 0,
    });
    expect(po.getStepStats('voice').store).toMatchObject({ avg: 1_000, queueAvg: 0 });
    expect(po.suggestOptimization('voice', 60_000)).toContain(
      "Step 'stt' spends 97% of its time waiting for a remote worker to take its task: add remote workers for its action",
    );
  });

  it.each(STORE_KINDS)(
    'is stored with the step, completed after a retry or failed, for the figures from the store (%s)',
    async (kind) => {
      const { clock, hub, orch, engine } = await voiceOnHub(kind);
      // First: 10 s without a worker, a failure, the retry's task taken 4 s after it was due.
      const retried = await engine.executeWorkflow('voice');
      await clock.advance(10_000);
      const { workerId } = hub.register({ actions: ['stt'] });
      hub.fail(workerId, (await nextTask(hub, workerId)).taskId, { error: { message: 'busy' } });
      await clock.advance(5_000);
      hub.complete(workerId, (await nextTask(hub, workerId)).taskId, { text: 'hi' });
      expect((await finishWithClock(orch, clock, retried)).status).toBe('completed');
      // Then: taken after 3 s, failed for good.
      const failed = await engine.executeWorkflow('voice');
      await clock.advance(3_000);
      hub.fail(workerId, (await nextTask(hub, workerId)).taskId, {
        error: { message: 'bad audio' },
        retryable: false,
      });
      expect((await finishWithClock(orch, clock, failed)).status).toBe('failed');
      hub.close();

      const waits = [(await storedStt(orch, retried)).queuedMs, (await storedStt(orch, failed)).queuedMs];
      expect(waits[0]).toBeGreaterThanOrEqual(14_000);
      expect(waits[1]).toBeGreaterThanOrEqual(3_000);
      expect(waits[1]).toBeLessThan(4_000);
      const store = (await orch.store.getExecution(retried))!.steps.find((s) => s.name === 'store')!;
      expect(store).not.toHaveProperty('queuedMs');

      const own = orch.performanceOptimizer.getStepStats('voice').stt!;
      expect(own).toMatchObject({ count: 2, failures: 1, queueAvg: (waits[0]! + waits[1]!) / 2 });
      expect(await sttFromStore(orch)).toMatchObject({ count: 2, failures: 1, queueAvg: own.queueAvg });
    },
  );

  it.each(STORE_KINDS)(
    'counts the wait of a task no worker took before the timeout cut the step short (%s)',
    async (kind) => {
      // The first attempt waits 4 s, its task is taken and fails; the retry's task waits until
      // the workflow's 30 s timeout: no worker is left to take it.
      const { clock, hub, orch, engine } = await voiceOnHub(kind, { timeout: 30 });
      const id = await engine.executeWorkflow('voice');
      await clock.advance(4_000);
      const { workerId } = hub.register({ actions: ['stt'] });
      hub.fail(workerId, (await nextTask(hub, workerId)).taskId, { error: { message: 'busy' } });
      const status = await finishWithClock(orch, clock, id);
      expect(status.status).toBe('failed');
      expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
      hub.close();

      const stt = await storedStt(orch, id);
      expect(stt.status).toBe('cancelled');
      // 4 s before the first task was taken, then all but the retry's 1 s delay of the rest.
      expect(stt.queuedMs).toBeGreaterThanOrEqual(30_000 - 1_000);
      expect(stt.queuedMs).toBeLessThanOrEqual(30_000);
      const own = orch.performanceOptimizer.getStepStats('voice').stt!;
      expect(own).toMatchObject({ count: 1, failures: 1, queueAvg: stt.queuedMs });
      expect(await sttFromStore(orch)).toMatchObject({ count: 1, failures: 1, queueAvg: stt.queuedMs });
    },
  );

  it('stores the wait of a task no worker took before a cancel stopped the step', async () => {
    const { clock, hub, orch, engine } = await voiceOnHub('memory');
    const id = await engine.executeWorkflow('voice');
    await clock.advance(7_000);
    expect(await engine.cancelWorkflow(id)).toBe(true);
    hub.close();
    const stt = await storedStt(orch, id);
    expect(stt.status).toBe('cancelled');
    expect(stt.queuedMs).toBe(7_000);
    // A cancel is the user's choice, not the step's time: the optimizer records no run.
    expect(orch.performanceOptimizer.getStepStats('voice').stt).toBeUndefined();
  });
});
