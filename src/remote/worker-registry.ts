/**
 * The hub's registered workers and their liveness: registration, look-up (a request marks its
 * worker as heard from), the drop of a lost worker (the tasks it holds fail with `WORKER_LOST`),
 * and the sweep, run by a timer, that ends leases and registrations nobody renewed.
 * @module
 */
import type { TimerHandle } from '../clock.js';
import { ClosedError, ConflictError } from '../errors.js';
import { ENDED } from './ended-tasks.js';
import { RemoteWorkerNotFoundError, WorkerLostError } from './errors.js';
import type { HubSettings } from './hub-options.js';
import { endLease, newWorker, randomId, type Worker } from './hub-records.js';

export class WorkerRegistry {
  private readonly settings: HubSettings;
  /** Whether the hub is closed: the sweeper is no longer armed. */
  private readonly closed: () => boolean;
  private readonly workers = new Map<string, Worker>();
  private sweeper: TimerHandle | null = null;
  private sweepDueAt = 0;

  constructor(settings: HubSettings, closed: () => boolean) {
    this.settings = settings;
    this.closed = closed;
  }

  /** The registered workers (a copy: dropping one removes it). */
  all(): Worker[] {
    return [...this.workers.values()];
  }

  /** @throws ConflictError when `maxWorkers` are registered. */
  checkRoom(): void {
    if (this.workers.size >= this.settings.maxWorkers) {
      throw new ConflictError(`Too many remote workers are registered (at most ${this.settings.maxWorkers})`);
    }
  }

  /** Registers a worker for `actions` (checked) and arms the sweeper. */
  add(name: string | undefined, actions: string[]): Worker {
    const now = this.settings.clock.now();
    const worker = newWorker({
      id: randomId('rw'),
      name,
      actions: new Set(actions),
      registeredAt: now,
      lastSeen: now,
    });
    this.workers.set(worker.id, worker);
    this.settings.logger?.info(
      { workerId: worker.id, name: worker.name, actions },
      'remote worker registered',
    );
    this.armSweeper();
    return worker;
  }

  /** The worker, or undefined when none is registered under `workerId`. */
  find(workerId: string): Worker | undefined {
    return this.workers.get(workerId);
  }

  /**
   * The worker registered under `workerId`.
   * @throws RemoteWorkerNotFoundError (404: register again) when there is none; ClosedError once
   *   the hub is closed (it dropped every worker, and refuses a registration the same way).
   */
  require(workerId: string): Worker {
    const worker = this.workers.get(workerId);
    if (worker) return worker;
    throw this.closed() ? new ClosedError() : new RemoteWorkerNotFoundError(workerId);
  }

  /** The worker, marked as heard from now. */
  touch(workerId: string): Worker {
    const worker = this.require(workerId);
    worker.lastSeen = this.settings.clock.now();
    return worker;
  }

  drop(worker: Worker, why: string): void {
    this.workers.delete(worker.id);
    for (const waiter of [...worker.waiters]) waiter.hand(null);
    const lost = [...worker.tasks.values()];
    worker.tasks.clear();
    if (lost.length > 0)
      this.settings.logger?.warn({ workerId: worker.id, tasks: lost.length }, `remote worker lost: ${why}`);
    for (const task of lost) {
      if (task.state === 'leased') task.reject(new WorkerLostError(worker.id, task.wire.taskId, why));
    }
  }

  /** Drops every worker (the hub closed) and stops the sweeper. */
  close(): void {
    for (const worker of this.all()) this.drop(worker, 'the hub closed');
    this.sweeper?.cancel();
    this.sweeper = null;
  }

  /** Checks leases and registrations now (the sweeper does this every second). */
  sweep(): void {
    const { clock, leaseMs, leaseSeconds, logger } = this.settings;
    const now = clock.now();
    for (const worker of this.all()) {
      // A last contact ahead of `now`, or a lease ending more than a lease from it, means the system
      // clock was stepped back: count them from now, so a silent worker's tasks and registration
      // still run out a lease later (not the size of the step later, a day for a day's step).
      if (worker.lastSeen > now) worker.lastSeen = now;
      for (const task of [...worker.tasks.values()]) {
        if (task.leaseUntil - now > leaseMs) task.leaseUntil = now + leaseMs;
        if (now <= task.leaseUntil) continue;
        const leased = task.state === 'leased';
        endLease(worker, task.wire.taskId, leased ? ENDED.expired(leaseSeconds) : ENDED.cancelled);
        if (!leased) continue;
        const why = `no heartbeat for ${leaseSeconds}s`;
        logger?.warn({ workerId: worker.id, taskId: task.wire.taskId, step: task.wire.step }, why);
        task.reject(new WorkerLostError(worker.id, task.wire.taskId, why));
      }
      if (worker.waiters.size === 0 && now - worker.lastSeen > leaseMs) {
        this.drop(worker, `not heard from for ${leaseSeconds}s`);
      }
    }
  }

  private armSweeper(): void {
    if (this.sweeper || this.closed()) return;
    const { clock, sweepMs } = this.settings;
    this.sweepDueAt = clock.now() + sweepMs;
    this.sweeper = clock.setTimer(() => this.onSweep(), sweepMs, true);
  }

  private onSweep(): void {
    this.sweeper = null;
    // A sweep that runs a whole interval late means this process stalled: requests that queued
    // up behind the stall (heartbeats among them) run first, and expiry waits one more round.
    const late = this.settings.clock.now() - this.sweepDueAt > this.settings.sweepMs;
    if (!late) this.sweep();
    if (this.workers.size > 0) this.armSweeper();
  }
}
