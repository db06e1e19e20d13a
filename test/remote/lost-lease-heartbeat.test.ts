/**
 * A task already handed to a remote worker when its node loses the execution's lease: the node
 * stops the execution once a renewal finds the lease lost, which cancels the task, so the worker's
 * next heartbeat answers `cancelled` (the TypeScript client then aborts its handler) and a late
 * result is refused. While the lease has only lapsed (renewals fail, nothing says it is lost) the
 * heartbeat answers `cancelled: false`: the node may still own the execution, and its next round
 * (within a `sweepInterval`) checks.
 */
import { expect, it } from 'vitest';
import { settle } from '../../src/clock.js';
import { ConflictError } from '../../src/index.js';
import { claimElsewhere, expectStillElsewhere } from '../cluster/claimed-elsewhere.js';
import { until } from '../helpers/orchestrator.js';
import { flakyNodeWithHub, lapseLeases, nextTask } from './helpers.js';

it('a heartbeat answers cancelled once the node found the execution’s lease lost', async () => {
  const { clock, orch, store, hub, workerId, id } = await flakyNodeWithHub();
  const task = await nextTask(hub, workerId);
  expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: false });

  // The node's renewals fail for longer than a lease: its lease may have lapsed, not known lost.
  await lapseLeases(store, clock);
  expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: false });

  // Another node claims the execution; the node's next renewal finds it lost and stops it.
  const epoch = await claimElsewhere(store, id, clock.now());
  store.failRenewals = false;
  await clock.advance(500);
  await until(async () => {
    await settle();
    return orch.getLocalLoad().running === 0;
  });
  expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: true });
  expect(() => hub.complete(workerId, task.taskId, 'late')).toThrow(ConflictError);
  await expectStillElsewhere(store, id, epoch);
});
