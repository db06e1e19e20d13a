/**
 * `RemoteWorkerHub`: lets processes in any language serve actions over HTTP long-polling.
 *
 * For every action a remote worker serves, the hub puts a proxy handler in the engine. When a
 * step runs, the proxy queues a task and waits; a worker polls, gets the task leased for
 * `leaseSeconds`, renews the lease with heartbeats, and completes or fails it, which settles
 * the proxy's promise like any local handler's. The step's `ctx.signal` (timeout,
 * cancellation, shutdown) removes a queued task or marks a leased one cancelled; the worker
 * learns it from its next heartbeat, and its late result is refused.
 *
 * Tasks live in the memory of the node that runs the execution: if that node dies, recovery
 * re-runs the step and a new task is created (at-least-once; the idempotency key is stable).
 * @module
 */
import { ClosedError, ConflictError, NonRetryableError, ValidationError } from '../errors.js';
import type { Orchestrator } from '../orchestrator.js';
import type { ActionHandler } from '../types.js';
import { checkActionNames } from './action-names.js';
import { type ActionHost, ActionProxies } from './action-proxies.js';
import { advertisedRemoteWorkers } from './advertised-remote-workers.js';
import { ENDED } from './ended-tasks.js';
import { RemoteTaskError } from './errors.js';
import { type HubSettings, hubSettings, type RemoteWorkerHubOptions } from './hub-options.js';
import { endLease, type Worker } from './hub-records.js';
import { waitForTask } from './poll-wait.js';
import {
  type FailRequest,
  MAX_POLL_WAIT_SECONDS,
  type PollRequest,
  type RegisterRequest,
  type RegisterResponse,
  type RemoteTask,
  type RemoteWorkerSummary,
  type RemoteWorkersSnapshot,
} from './protocol.js';
import { TaskLeases } from './task-leases.js';
import { checkOutput } from './task-output.js';
import { WorkerRegistry } from './worker-registry.js';

/**
 * The task queues, leases and registrations of remote workers for one orchestrator (one node).
 * The HTTP routes under `/v1/remote-workers` drive it; {@link remoteWorkerHubFor} gives the
 * hub `buildApp` uses by default.
 */
export class RemoteWorkerHub {
  /** Seconds a lease (and a registration) lasts without news from the worker. */
  readonly leaseSeconds: number;
  /** The wait a poll asks for by default, in seconds. */
  readonly pollSeconds: number;
  private readonly settings: HubSettings;
  private readonly workers: WorkerRegistry;
  private readonly tasks: TaskLeases;
  private readonly proxies: ActionProxies;
  private closed = false;

  constructor(options: RemoteWorkerHubOptions = {}) {
    this.settings = hubSettings(options);
    this.leaseSeconds = this.settings.leaseSeconds;
    this.pollSeconds = this.settings.pollSeconds;
    this.workers = new WorkerRegistry(this.settings, () => this.closed);
    this.tasks = new TaskLeases(this.settings, this.workers, () => this.closed);
    this.proxies = new ActionProxies((action, input, ctx) => this.tasks.submit(action, input, ctx));
  }

  /**
   * Lets the hub install proxy handlers in an engine (`orch.workflowEngine`) for actions that
   * workers register and no local handler serves. Returns the hub.
   */
  attach(host: ActionHost): this {
    this.proxies.attach(host);
    // Every node, and `orchestrator workers`, see the workers registered here in the registry.
    host.advertise?.('remoteWorkers', () => advertisedRemoteWorkers(this.workerSummaries()));
    return this;
  }

  /**
   * Proxy handlers for actions served by remote workers, to pass in `createOrchestrator`'s
   * `actions` so they exist before unfinished executions resume (a step never fails with
   * `ACTION_NOT_FOUND` just because its worker has not registered yet).
   */
  actions(names: string[]): Record<string, ActionHandler> {
    return this.proxies.handlers(names);
  }

  /** Registers a worker; installs proxies for its actions. @throws ConflictError for an action a local handler serves. */
  register(request: RegisterRequest): RegisterResponse {
    if (this.closed) throw new ClosedError();
    const actions = checkActionNames(request.actions, 'actions', 'Invalid register arguments');
    this.workers.checkRoom();
    this.proxies.install(actions);
    const worker = this.workers.add(request.name, actions);
    return { workerId: worker.id, leaseSeconds: this.leaseSeconds, pollSeconds: this.pollSeconds };
  }

  /**
   * Waits up to `waitSeconds` for a task of the worker's actions and leases it to the worker.
   * Resolves null when none came (or `signal` aborted: the client went away).
   * @throws RemoteWorkerNotFoundError for an unknown worker; ClosedError once the hub is closed.
   */
  async poll(workerId: string, request: PollRequest = {}, signal?: AbortSignal): Promise<RemoteTask | null> {
    const worker = this.workers.touch(workerId);
    let actions = worker.actions;
    if (request.actions !== undefined) {
      const asked = checkActionNames(request.actions, 'actions', 'Invalid poll arguments');
      const foreign = asked.filter((a) => !worker.actions.has(a));
      if (foreign.length > 0) {
        throw new ValidationError(
          [{ path: 'actions', message: `not registered by this worker: ${foreign.join(', ')}` }],
          'Invalid poll arguments',
        );
      }
      actions = new Set(asked);
    }
    const wait = Math.min(request.waitSeconds ?? this.pollSeconds, MAX_POLL_WAIT_SECONDS);
    // A closed hub answers an error, not "no task", so clients back off instead of polling in a loop.
    if (this.closed) throw new ClosedError();
    const queued = this.tasks.leaseQueued(worker, actions);
    if (queued) return queued.wire;
    if (!(wait > 0) || signal?.aborted) return null;
    const { maxPolls } = this.settings;
    if (worker.waiters.size >= maxPolls) {
      throw new ConflictError(`Worker '${workerId}' already has ${maxPolls} polls waiting`);
    }
    return waitForTask(this.tasks.queue, this.settings.clock, worker, actions, wait, signal);
  }

  /**
   * Puts a task handed to a poll back at the head of its queue (the answer could not be
   * delivered: the client went away first). No effect unless the worker still holds it.
   */
  unlease(workerId: string, taskId: string): void {
    const worker = this.workers.find(workerId);
    const task = worker?.tasks.get(taskId);
    if (!worker || !task) return;
    endLease(worker, taskId, task.state === 'leased' ? ENDED.undelivered : ENDED.cancelled);
    if (task.state !== 'leased') return;
    this.tasks.requeue(task);
  }

  /** Renews the lease of a task; `cancelled` tells the worker to stop. @throws ConflictError when the worker no longer holds it. */
  heartbeat(workerId: string, taskId: string): { cancelled: boolean } {
    return this.tasks.heartbeat(workerId, taskId);
  }

  /**
   * Resolves once a report (complete, fail, release) on a task the worker holds may be made: at
   * once, unless the lease of its execution may have lapsed, then once this node confirmed it (see
   * `TaskLeases.confirmHeld`).
   * @throws OrchestratorError `STORE_UNAVAILABLE` when the lease could not be confirmed.
   */
  confirmHeld(workerId: string, taskId: string): Promise<void> {
    return this.tasks.confirmHeld(workerId, taskId);
  }

  /**
   * Completes a task with the step's output.
   * @throws RemoteWorkerNotFoundError for an unknown worker, ConflictError for a task not (or no
   * longer) held, or cancelled — whatever the output; then ValidationError (the task stays leased)
   * for an output no store keeps (too deep, not finite).
   */
  complete(workerId: string, taskId: string, output: unknown): void {
    // Who reports, and whether the task is still theirs, before what they report: a result that
    // was never theirs to give answers 409 (drop it), not 400 (fix it).
    const { worker, task } = this.tasks.liveHeld(workerId, taskId);
    checkOutput(output);
    endLease(worker, taskId, ENDED.completed);
    task.resolve(output === undefined ? null : output);
  }

  /**
   * Fails a task. `retryable: false` fails the step at once (a `NonRetryableError` with the
   * code); otherwise the step's retry policy decides.
   */
  fail(workerId: string, taskId: string, request: FailRequest): void {
    const task = this.tasks.takeBack(workerId, taskId, ENDED.failed);
    const { code } = request.error;
    // An empty message would show the class's name ('RemoteTaskError') as the step's error.
    const message =
      request.error.message || `Remote worker '${workerId}' reported a failure without a message`;
    task.reject(
      request.retryable === false
        ? new NonRetryableError(message, code === undefined ? {} : { code })
        : new RemoteTaskError(code, message),
    );
  }

  /**
   * Gives a held task back (the worker stops before it could finish it): it goes to the head of its
   * queue for the next poll of any worker, as the same attempt — its step's timeout keeps running.
   * @throws ConflictError for a task not (or no longer) held, or cancelled.
   */
  release(workerId: string, taskId: string): void {
    this.tasks.requeue(this.tasks.takeBack(workerId, taskId, ENDED.released));
  }

  /** Removes a worker; the tasks it holds fail with `WORKER_LOST`. */
  deregister(workerId: string): void {
    this.workers.drop(this.workers.require(workerId), 'deregistered');
  }

  /**
   * Registered workers with their leased tasks, and queued tasks by action (a task held back while
   * its node confirms its execution's lease included: it waits for a worker all the same).
   */
  snapshot(): RemoteWorkersSnapshot {
    const now = this.settings.clock.now();
    const queued = this.tasks.queuedCounts();
    return {
      workers: this.workers.all().map((w) => ({
        ...described(w, now),
        tasks: [...w.tasks.values()].map((t) => ({
          taskId: t.wire.taskId,
          action: t.wire.action,
          executionId: t.wire.executionId,
          workflowId: t.wire.workflowId,
          step: t.wire.step,
          attempt: t.wire.attempt,
          leasedAt: new Date(t.leasedAt),
          leaseUntil: new Date(t.leaseUntil),
          cancelled: t.state === 'cancelled',
        })),
      })),
      queued,
    };
  }

  /**
   * The registered workers, each with the number of tasks it holds rather than the tasks: the
   * operator's view (`GET /v1/workers`, the dashboard). Read-only; names no task.
   */
  workerSummaries(): RemoteWorkerSummary[] {
    const now = this.settings.clock.now();
    return this.workers.all().map((w) => ({ ...described(w, now), heldTasks: w.tasks.size }));
  }

  /** Answers every waiting poll with "no task" (so an HTTP server can close without waiting out long polls). */
  releasePolls(): void {
    for (const waiter of this.tasks.queue.allWaiters()) waiter.hand(null);
  }

  /**
   * Stops the hub: no more registrations or tasks handed out, waiting polls answered, every
   * worker dropped (the tasks they hold fail with `WORKER_LOST`). Queued tasks stay queued
   * until their step times out or is cancelled.
   */
  close(): void {
    this.closed = true;
    this.releasePolls();
    this.workers.close();
  }

  /** Checks leases and registrations now (the sweeper does this every second). */
  sweep(): void {
    this.workers.sweep();
  }
}

/**
 * What both views say of `worker` (`snapshot` adds its tasks, `workerSummaries` their count): who
 * it is, what it serves, and when it was last heard from — now while one of its polls waits.
 */
function described(worker: Worker, now: number): Omit<RemoteWorkerSummary, 'heldTasks'> {
  return {
    id: worker.id,
    ...(worker.name === undefined ? {} : { name: worker.name }),
    actions: [...worker.actions],
    registeredAt: new Date(worker.registeredAt),
    lastSeen: new Date(worker.waiters.size > 0 ? now : worker.lastSeen),
    polling: worker.waiters.size,
  };
}

const hubs = new WeakMap<Orchestrator, RemoteWorkerHub>();

/**
 * The orchestrator's own hub (created on first use with its clock and logger, attached to its
 * engine): the one `buildApp` serves unless given another.
 */
export function remoteWorkerHubFor(orch: Orchestrator): RemoteWorkerHub {
  let hub = hubs.get(orch);
  if (!hub) {
    hub = new RemoteWorkerHub({ clock: orch.config.clock, logger: orch.logger }).attach(orch.workflowEngine);
    hubs.set(orch, hub);
  }
  return hub;
}
