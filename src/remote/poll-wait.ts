/**
 * A long poll waiting for a task: answered by the task handed to it, by "no task" at the end of
 * its wait, or when its client goes away.
 * @module
 */
import type { Clock } from '../clock.js';
import type { Task, Waiter, Worker } from './hub-records.js';
import type { RemoteTask } from './protocol.js';
import type { TaskQueue } from './task-queue.js';

/**
 * Waits up to `waitSeconds` for a task of `actions` handed to `worker`; null when none came or
 * `signal` aborted.
 */
export function waitForTask(
  queue: TaskQueue<Task, Waiter>,
  clock: Clock,
  worker: Worker,
  actions: ReadonlySet<string>,
  waitSeconds: number,
  signal: AbortSignal | undefined,
): Promise<RemoteTask | null> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (task: Task | null) => {
      if (done) return;
      done = true;
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
      queue.removeWaiter(waiter);
      worker.waiters.delete(waiter);
      worker.lastSeen = Math.max(worker.lastSeen, clock.now());
      resolve(task ? task.wire : null);
    };
    const onAbort = () => finish(null);
    const waiter: Waiter = { worker, actions, hand: finish };
    const timer = clock.setTimer(() => finish(null), waitSeconds * 1000);
    signal?.addEventListener('abort', onAbort, { once: true });
    queue.addWaiter(waiter);
    worker.waiters.add(waiter);
  });
}
