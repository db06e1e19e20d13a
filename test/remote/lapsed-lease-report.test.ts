/**
 * A report on a task (complete, fail, release) whose execution's lease may have lapsed — its node
 * stalled, or its renewals failed, past a lease — waits for the node to confirm that lease. Lost
 * (another node claimed the execution and ran the step itself), the report is refused as
 * cancelled (409), not answered 204 and then discarded by the engine's fenced write. Still this
 * node's, it is taken as usual.
 */
import { expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import type { RemoteTask } from '../../src/remote/protocol.js';
import { claimElsewhere, expectStillElsewhere } from '../cluster/claimed-elsewhere.js';
import { flakyNodeWithHub, lapseLeases } from './helpers.js';

/** A node whose execution of `w` has its task leased to a worker; then its leases lapse. */
async function leasedThenLapsed() {
  const setup = await flakyNodeWithHub();
  const task = (await setup.hub.poll(setup.workerId, { waitSeconds: 0 })) as RemoteTask;
  expect(task).toMatchObject({ executionId: setup.id, step: 'stt' });
  await lapseLeases(setup.store, setup.clock);
  setup.store.failRenewals = false;
  return { ...setup, task };
}

it.each(['complete', 'fail', 'release'] as const)(
  'a %s for an execution another node claimed meanwhile is refused as cancelled',
  async (report) => {
    const { clock, hub, store, workerId, id, task } = await leasedThenLapsed();
    const epoch = await claimElsewhere(store, id, clock.now());
    await hub.confirmHeld(workerId, task.taskId);
    const make = {
      complete: () => hub.complete(workerId, task.taskId, { text: 'late' }),
      fail: () => hub.fail(workerId, task.taskId, { error: { message: 'late' } }),
      release: () => hub.release(workerId, task.taskId),
    }[report];
    expect(make).toThrow(ConflictError);
    expect(make).toThrow(/cancelled|not leased/);
    await expectStillElsewhere(store, id, epoch);
  },
);

it('a complete for an execution still this node’s is taken once the lease is confirmed', async () => {
  const { orch, hub, workerId, id, task } = await leasedThenLapsed();
  await hub.confirmHeld(workerId, task.taskId);
  hub.complete(workerId, task.taskId, { text: 'in time' });
  const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
  expect(status).toMatchObject({ status: 'completed', outputData: { stt: { text: 'in time' } } });
});

it('answers at once for a task that is not held, or a worker that is not registered', async () => {
  const { hub, workerId } = await flakyNodeWithHub();
  await expect(hub.confirmHeld(workerId, 'task_unknown')).resolves.toBeUndefined();
  await expect(hub.confirmHeld('w_unknown', 'task_unknown')).resolves.toBeUndefined();
});

it('answers STORE_UNAVAILABLE (503: report again) while the lease cannot be confirmed', async () => {
  const setup = await flakyNodeWithHub();
  const task = (await setup.hub.poll(setup.workerId, { waitSeconds: 0 })) as RemoteTask;
  await lapseLeases(setup.store, setup.clock);
  // The store still refuses the renewals: the lease stays unconfirmed.
  await expect(setup.hub.confirmHeld(setup.workerId, task.taskId)).rejects.toMatchObject({
    code: 'STORE_UNAVAILABLE',
  });
  // Confirmed once the store answers again: the report goes through.
  setup.store.failRenewals = false;
  await setup.hub.confirmHeld(setup.workerId, task.taskId);
  setup.hub.complete(setup.workerId, task.taskId, { text: 'in time' });
  const status = await setup.orch.workflowEngine.waitForCompletion(setup.id, { timeout: 5 });
  expect(status.status).toBe('completed');
});
