/**
 * The hub's tasks from the step that queues one to the worker that gives it back: the task a
 * proxy handler makes and the promise it waits on, the hand-out to a waiting poll or the queue,
 * leases and their renewal, cancellation by the step's signal, and the checks that a worker
 * still holds the task it reports on. A task goes to a worker only while its execution's lease is
 * known valid on its node: past it, the task waits, out of the queue, for the node to confirm it.
 * @module
 */
import { echo } from '../echo.js';
import { expireAttemptIfLate, leaseCheckOf, reportQueueWait } from '../engine/out-of-process.js';
import { ConflictError, OrchestratorError } from '../errors.js';
import type { StepContext } from '../types.js';
import { ENDED } from './ended-tasks.js';
import type { HubSettings } from './hub-options.js';
import { endLease, randomId, type Task, type Waiter, type Worker } from './hub-records.js';
import { TaskQueue } from './task-queue.js';
import type { WorkerRegistry } from './worker-registry.js';

export class TaskLeases {
  /** Queued tasks by action, and the polls waiting for one. */
  readonly queue = new TaskQueue<Task, Waiter>();
  private readonly settings: HubSettings;
  private readonly workers: WorkerRegistry;
  /** Whether the hub is closed: no task is handed to a poll. */
  private readonly closed: () => boolean;
  /**
   * Tasks held out of their queue while their node confirms the lease of their execution (see
   * {@link unconfirmed}): they still wait for a worker, and count as queued.
   */
  private readonly confirming = new Set<Task>();
  private seq = 0;

  constructor(settings: HubSettings, workers: WorkerRegistry, closed: () => boolean) {
    this.settings = settings;
    this.workers = workers;
    this.closed = closed;
  }

  /** Queues a task for the step attempt `ctx`; settles with the worker's result. */
  submit(action: string, input: unknown, ctx: StepContext): Promise<unknown> {
    const { signal } = ctx;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => this.cancel(task, signal.reason);
      const settle = (fn: () => void) => {
        if (task.settled) return;
        task.settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const task: Task = {
        wire: {
          taskId: randomId('rt'),
          action,
          executionId: ctx.executionId,
          workflowId: ctx.workflowId,
          step: ctx.stepName,
          attempt: ctx.attempt,
          input: input === undefined ? null : input,
          idempotencyKey: ctx.idempotencyKey,
          deadline: ctx.deadline === undefined ? null : new Date(ctx.deadline).toISOString(),
        },
        seq: this.seq++,
        state: 'queued',
        ctx,
        queuedAt: this.settings.clock.now(),
        leasedAt: 0,
        leaseUntil: 0,
        settled: false,
        resolve: (output) => settle(() => resolve(output)),
        reject: (error) => settle(() => reject(error)),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.dispatch(task, false);
    });
  }

  /**
   * The oldest queued task of `actions` whose attempt is not over and whose lease is confirmed,
   * leased to `worker`; null when none.
   */
  leaseQueued(worker: Worker, actions: ReadonlySet<string>): Task | null {
    let queued = this.queue.take(actions);
    while (queued && (this.over(queued) || this.unconfirmed(queued))) queued = this.queue.take(actions);
    if (queued) this.lease(queued, worker);
    return queued;
  }

  /**
   * Tasks waiting for a worker, by action (actions with none left out): those in the queues and
   * those held out of them while their lease is confirmed.
   */
  queuedCounts(): Record<string, number> {
    const counts = this.queue.counts();
    for (const task of this.confirming) {
      if (task.settled || task.state !== 'queued') continue;
      const { action } = task.wire;
      counts[action] = (counts[action] ?? 0) + 1;
    }
    return counts;
  }

  /**
   * Renews the lease of a task; `cancelled` tells the worker to stop: its attempt is over, also
   * when its node found its execution's lease lost (the renewal that finds it stops the execution,
   * whose signal cancels the task). A lease that may have lapsed, not known lost (this node's
   * renewals fail or skip the row), answers `false`: the node may still own the execution, its next
   * round checks, and a result after a loss is refused all the same (see `liveHeld`). A task the
   * answer cancels is no longer held: the worker's listing stops counting it at once (it counted
   * until its lease ran out), and a later report on it is refused as cancelled.
   * @throws ConflictError when the worker no longer holds it.
   */
  heartbeat(workerId: string, taskId: string): { cancelled: boolean } {
    const worker = this.workers.touch(workerId);
    const task = this.held(worker, taskId);
    if (this.over(task)) {
      endLease(worker, taskId, ENDED.cancelled);
      return { cancelled: true };
    }
    task.leaseUntil = this.settings.clock.now() + this.settings.leaseMs;
    return { cancelled: false };
  }

  /** Puts a task back at the head of its queue, as the same attempt, for the next poll of any worker. */
  requeue(task: Task): void {
    task.state = 'queued';
    task.queuedAt = this.settings.clock.now();
    this.dispatch(task, true);
  }

  /** Takes a task back from the worker that holds it (for fail/release), recording `why` (one of `ENDED`). */
  takeBack(workerId: string, taskId: string, why: string): Task {
    const { worker, task } = this.liveHeld(workerId, taskId);
    endLease(worker, taskId, why);
    return task;
  }

  /**
   * The worker (marked as heard from) and the task it holds, its attempt not over.
   * @throws RemoteWorkerNotFoundError, or ConflictError for a task not held or cancelled (no longer held then).
   */
  liveHeld(workerId: string, taskId: string): { worker: Worker; task: Task } {
    const worker = this.workers.touch(workerId);
    const task = this.held(worker, taskId);
    if (this.over(task)) {
      endLease(worker, taskId, ENDED.cancelled);
      throw new ConflictError(
        `Task ${echo(taskId)} was cancelled (its step was cancelled or timed out); the result is discarded`,
      );
    }
    return { worker, task };
  }

  /**
   * Resolves once a report on the task `workerId` holds may be answered: at once, unless the lease
   * of its execution may have lapsed (this node stalled, or its renewals failed): then once this
   * node confirmed it. Lost, the execution stops and its signal cancels the task, so the report is
   * refused (409) rather than answered 204 and discarded; a stalled node's first round after it
   * woke may not have run yet. A task not held, or held by no such worker, resolves at once: the
   * report's own call says what is wrong.
   * @throws OrchestratorError `STORE_UNAVAILABLE` (503: the worker reports again) when the lease
   *   could not be confirmed (the store does not answer, or the row stays locked).
   */
  async confirmHeld(workerId: string, taskId: string): Promise<void> {
    const task = this.workers.find(workerId)?.tasks.get(taskId);
    const lease = task && !task.settled ? leaseCheckOf(task.ctx) : undefined;
    if (!lease?.lapsed()) return;
    await lease.confirm().catch(() => undefined);
    // Lost meanwhile: the execution stopped, the task with it (the report answers 409).
    if (task!.settled || !lease.lapsed()) return;
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      `The lease of the execution of task ${echo(taskId)} could not be confirmed; report it again`,
    );
  }

  /** Hands a task to the oldest waiting poll that serves its action, else queues it. */
  private dispatch(task: Task, atHead: boolean): void {
    if (this.over(task) || this.unconfirmed(task)) return;
    const waiter = this.closed() ? null : this.queue.waiterFor(task.wire.action);
    if (waiter) {
      this.lease(task, waiter.worker);
      waiter.hand(task);
    } else this.queue.push(task, atHead);
  }

  private lease(task: Task, worker: Worker): void {
    const now = this.settings.clock.now();
    task.state = 'leased';
    task.leasedAt = now;
    reportQueueWait(task.ctx, now - task.queuedAt);
    task.leaseUntil = now + this.settings.leaseMs;
    worker.tasks.set(task.wire.taskId, task);
  }

  /**
   * The step's signal aborted: drop a queued task, mark a leased one cancelled. A dropped task's
   * wait is reported as a taken one's is: a step whose workflow timed out while no worker took its
   * task spent that time waiting for a worker, not working.
   */
  private cancel(task: Task, reason: unknown): void {
    if (task.state === 'queued') {
      reportQueueWait(task.ctx, this.settings.clock.now() - task.queuedAt);
      this.queue.remove(task);
      this.confirming.delete(task);
    } else if (task.state === 'leased') task.state = 'cancelled';
    task.reject(reason);
  }

  /**
   * Whether the step attempt `task` belongs to is over, cancelled or timed out: also when its
   * deadline (the step's, the workflow's) passed though the timer has not fired yet — a stalled
   * event loop runs due timers list by list, so a worker's late result could come first and be
   * answered 204, then discarded by the engine. The attempt is ended then as by its timer (its
   * signal cancels the task: dropped from its queue, or marked cancelled if leased).
   */
  private over(task: Task): boolean {
    if (!task.settled) expireAttemptIfLate(task.ctx);
    return task.settled;
  }

  /**
   * Whether the lease of the execution `task` belongs to may have lapsed (its node went a whole
   * lease without renewing: stalled, or its store failed; or renewals skipped its row): another
   * node may have claimed it and run the step itself. The task, out of its queue, waits for the
   * node to confirm the lease: lost, the execution stops (its signal drops the task); confirmed,
   * the task is dispatched again, at the head of its queue; still unconfirmed (the store does not
   * answer), it goes back there, and the next poll that would take it asks again.
   */
  private unconfirmed(task: Task): boolean {
    const lease = leaseCheckOf(task.ctx);
    if (!lease?.lapsed()) return false;
    if (task.confirming) return true;
    task.confirming = true;
    this.confirming.add(task);
    const settle = () => {
      task.confirming = false;
      this.confirming.delete(task);
      if (task.settled || task.state !== 'queued') return;
      if (lease.lapsed()) this.queue.push(task, true);
      else this.dispatch(task, true);
    };
    lease.confirm().then(settle, settle);
    return true;
  }

  private held(worker: Worker, taskId: string): Task {
    const task = worker.tasks.get(taskId);
    if (!task) {
      throw new ConflictError(
        `Task ${echo(taskId)} is not leased to worker '${worker.id}' (${worker.ended.why(taskId)})`,
      );
    }
    return task;
  }
}
