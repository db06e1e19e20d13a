/**
 * A task queued for a remote worker before its node stalled past its lease is handed to no worker
 * until the node has confirmed that lease, as a local handler starts no attempt before it does
 * (`confirmLease`): another node may have claimed the execution meanwhile and run the step itself.
 * Lost, the execution stops here and its task is dropped; still this node's, the task goes to the
 * poll that waits for it.
 */
import { expect, it } from 'vitest';
import { settle } from '../../src/clock.js';
import type { RemoteTask } from '../../src/remote/protocol.js';
import { claimElsewhere, expectStillElsewhere } from '../cluster/claimed-elsewhere.js';
import { until } from '../helpers/orchestrator.js';
import { flakyNodeWithHub, lapseLeases } from './helpers.js';

/**
 * A node (3 s leases, rounds every 0.5 s) whose execution of `w` has its task queued at the hub,
 * no worker having polled yet; then its renewals fail for longer than a lease (it counts its
 * leases lapsed), and work again.
 */
async function lapsedWithQueuedTask() {
  const { clock, orch, store, hub, workerId, id } = await flakyNodeWithHub();
  await until(() => hub.snapshot().queued.stt === 1);
  await lapseLeases(store, clock);
  store.failRenewals = false;
  return { clock, orch, store, hub, workerId, id };
}

it('a task whose execution another node claimed meanwhile is handed to no worker', async () => {
  const { clock, orch, store, hub, workerId, id } = await lapsedWithQueuedTask();
  // Another node claims the execution, its lease having run out.
  const epoch = await claimElsewhere(store, id, clock.now());
  // A worker polls before this node's next round: no task for it.
  await expect(hub.poll(workerId, { waitSeconds: 0 })).resolves.toBeNull();
  // The node confirms its leases, finds this one lost, and drops the task.
  await until(async () => {
    await settle();
    return orch.getLocalLoad().running === 0;
  });
  expect(hub.snapshot().queued).toEqual({});
  await expect(hub.poll(workerId, { waitSeconds: 0 })).resolves.toBeNull();
  await expectStillElsewhere(store, id, epoch);
});

it('a task held back while its lease is confirmed still counts as queued', async () => {
  const { hub, workerId, id } = await lapsedWithQueuedTask();
  // The poll takes the task out of its queue to confirm the lease first: it still waits for a
  // worker, and GET /v1/remote-workers says so.
  await expect(hub.poll(workerId, { waitSeconds: 0 })).resolves.toBeNull();
  expect(hub.snapshot().queued).toEqual({ stt: 1 });
  // Until the node confirmed it (still this node's), it is counted once, then handed out.
  let task: RemoteTask | null = null;
  await until(async () => {
    expect(hub.snapshot().queued).toEqual({ stt: 1 });
    await settle();
    task = await hub.poll(workerId, { waitSeconds: 0 });
    return task !== null;
  });
  expect(task).toMatchObject({ executionId: id, step: 'stt' });
  expect(hub.snapshot().queued).toEqual({});
});

it('a task whose execution is still this node’s goes to the waiting poll once the lease is confirmed', async () => {
  const { orch, store, hub, workerId, id } = await lapsedWithQueuedTask();
  const renewalsBefore = (await store.getExecution(id))!.execution.leaseUntil;
  // Not handed out on the lapsed lease: the poll waits while the node renews it.
  const task = await hub.poll(workerId, { waitSeconds: 5 });
  expect(task).toMatchObject({ executionId: id, step: 'stt' });
  expect((await store.getExecution(id))!.execution.leaseUntil).toBeGreaterThan(renewalsBefore!);
  expect(orch.getLocalLoad().running).toBe(1);
});
