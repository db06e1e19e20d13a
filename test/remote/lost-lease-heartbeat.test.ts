/**
 * A task already handed to a remote worker when its node loses the execution's lease: the node
 * stops the execution once a renewal finds the lease lost, which cancels the task, so the worker's
 * next heartbeat answers `cancelled` (the TypeScript client then aborts its handler) and a late
 * result is refused. While the lease has only lapsed (renewals fail, nothing says it is lost) the
 * heartbeat answers `cancelled: false`: the node may still own the execution, and its next round
 * (within a `sweepInterval`) checks.
 */
import { expect, it, onTestFinished } from 'vitest';
import { settle } from '../../src/clock.js';
import { ConflictError, FakeClock, RemoteWorkerHub } from '../../src/index.js';
import { withFlakyRenewals } from '../helpers/flaky-renewals.js';
import { until } from '../helpers/orchestrator.js';
import { flush, nextTask } from './helpers.js';

it('a heartbeat answers cancelled once the node found the execution’s lease lost', async () => {
  const clock = new FakeClock();
  // 3 s leases, rounds every 0.5 s.
  const { orch, store } = await withFlakyRenewals({ clock });
  const hub = new RemoteWorkerHub({ clock, leaseSeconds: 10, pollSeconds: 5 }).attach(orch.workflowEngine);
  onTestFinished(() => hub.close());
  const { workerId } = hub.register({ actions: ['stt'] });
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt' }]);
  const id = await orch.workflowEngine.executeWorkflow('w');
  await flush(clock);
  const task = await nextTask(hub, workerId);
  expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: false });

  // The node's renewals fail for longer than a lease: its lease may have lapsed, not known lost.
  store.failRenewals = true;
  for (let i = 0; i < 8; i++) await clock.advance(500);
  expect(store.renewalsRefused).toBeGreaterThan(0);
  expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: false });

  // Another node claims the execution; the node's next renewal finds it lost and stops it.
  const now = clock.now();
  const [claimed] = await store.claimExecutions({
    owner: 'other-node',
    leaseUntil: now + 3_000,
    now,
    ids: [id],
    limit: 1,
  });
  expect(claimed?.id).toBe(id);
  store.failRenewals = false;
  await clock.advance(500);
  await until(async () => {
    await settle();
    return orch.getLocalLoad().running === 0;
  });
  expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: true });
  expect(() => hub.complete(workerId, task.taskId, 'late')).toThrow(ConflictError);
  expect((await store.getExecution(id))?.execution.owner).toBe('other-node');
});
