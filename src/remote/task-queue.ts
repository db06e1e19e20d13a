/**
 * The hub's queues: tasks waiting for a worker, by action and in arrival order, and the polls
 * waiting for a task, oldest first. No leases or timers here: just who waits for what.
 * @module
 */

/** What the queue needs of a task. */
export interface QueueItem {
  readonly wire: { readonly taskId: string; readonly action: string };
  /** Arrival order across actions. */
  readonly seq: number;
}

/** A waiting poll: the actions it takes, and how it is answered (null: no task). */
export interface Waiter<T> {
  readonly actions: ReadonlySet<string>;
  hand(task: T | null): void;
}

/** Queued tasks by action and waiting polls. */
export class TaskQueue<T extends QueueItem, W extends Waiter<T> = Waiter<T>> {
  private readonly queues = new Map<string, Map<string, T>>();
  private readonly waiters = new Set<W>();

  /** Queues a task last (or first: a task put back keeps its turn). */
  push(task: T, atHead = false): void {
    const { action, taskId } = task.wire;
    const queue = this.queues.get(action) ?? new Map<string, T>();
    if (atHead) this.queues.set(action, new Map([[taskId, task], ...queue]));
    else {
      queue.set(taskId, task);
      this.queues.set(action, queue);
    }
  }

  /** Removes a queued task (no effect if it is not queued). */
  remove(task: T): void {
    this.queues.get(task.wire.action)?.delete(task.wire.taskId);
  }

  /** The oldest queued task of any of `actions`, removed from its queue; null when none. */
  take(actions: ReadonlySet<string>): T | null {
    let best: T | null = null;
    for (const action of actions) {
      const head = this.queues.get(action)?.values().next().value;
      if (head && (!best || head.seq < best.seq)) best = head;
    }
    if (best) this.remove(best);
    return best;
  }

  /** Queued tasks by action (actions with none left out). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [action, queue] of this.queues) if (queue.size > 0) out[action] = queue.size;
    return out;
  }

  addWaiter(waiter: W): void {
    this.waiters.add(waiter);
  }

  removeWaiter(waiter: W): void {
    this.waiters.delete(waiter);
  }

  /** The oldest waiting poll that takes `action`, or null. */
  waiterFor(action: string): W | null {
    for (const waiter of this.waiters) if (waiter.actions.has(action)) return waiter;
    return null;
  }

  /** Every waiting poll (a copy: answering one removes it). */
  allWaiters(): W[] {
    return [...this.waiters];
  }
}
