/**
 * What renews what (docs/remote-workers.md, register): any request keeps the registration, but
 * only a heartbeat for the task renews a task's lease. A worker that keeps polling while it holds
 * a task it never heartbeats loses that task with WORKER_LOST and stays registered.
 */
import { describe, expect, it } from 'vitest';
import { finishWithClock } from '../helpers/orchestrator.js';
import { heldTask } from './helpers.js';

describe('a worker that polls but does not heartbeat its task', () => {
  it('loses the task a lease after the hand-over, and keeps its registration', async () => {
    const { orch, hub, clock, workerId, id, task } = await heldTask(
      { name: 'stt' },
      { hub: { leaseSeconds: 10 } },
    );
    // A poll every 3 s for 15 s: the registration never lapses, the task's lease (10 s) does.
    for (let t = 0; t < 5; t++) {
      await expect(hub.poll(workerId, { waitSeconds: 0 })).resolves.toBeNull();
      await clock.advance(3000);
    }
    expect(() => hub.heartbeat(workerId, task.taskId)).toThrow(/not leased to worker/);
    expect(hub.snapshot().workers.map((w) => w.id)).toEqual([workerId]);
    const status = await finishWithClock(orch, clock, id);
    expect(status.error).toMatchObject({ code: 'WORKER_LOST' });
  });
});
