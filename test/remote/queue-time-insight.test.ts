/**
 * A remote worker's step waits in the hub's queue until a worker takes its task: that wait is no
 * work of the step. The optimizer keeps it apart (`queueAvg`) and its advice says to add workers,
 * instead of calling the step slow.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, RemoteWorkerHub } from '../../src/index.js';
import { finishWithClock, withOrchestrator } from '../helpers/orchestrator.js';
import { nextTask } from './helpers.js';

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
});
