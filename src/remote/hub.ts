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
import { randomBytes } from 'node:crypto';
import { type Clock, systemClock, type TimerHandle } from '../clock.js';
import type { Logger } from '../config.js';
import { describeValue } from '../describe-value.js';
import { echo } from '../echo.js';
import { BUILTIN_ACTION_NAMES } from '../engine/action-registry.js';
import { MAX_OUTPUT_TEXT } from '../engine/action-step.js';
import { expireAttemptIfLate, markOutOfProcess, reportQueueWait } from '../engine/out-of-process.js';
import { ClosedError, ConflictError, type Issue, NonRetryableError, ValidationError } from '../errors.js';
import { guardedLogger } from '../guarded-logger.js';
import { isLogger, loggerRefusal, missingClockMethods } from '../injected-checks.js';
import {
  copiedJsonText,
  findJsonProblem,
  jsonSizeOverLimit,
  NOT_JSON,
  TOO_LARGE,
  tryCopyJson,
} from '../json-value.js';
import type { Orchestrator } from '../orchestrator.js';
import type { ActionHandler, StepContext } from '../types.js';
import { optionsIssues } from '../unknown-keys.js';
import { RemoteTaskError, RemoteWorkerNotFoundError, WorkerLostError } from './errors.js';
import {
  ACTION_NAME_PATTERN,
  type FailRequest,
  MAX_POLL_WAIT_SECONDS,
  type PollRequest,
  RESERVED_ACTION_NAME,
  type RegisterRequest,
  type RegisterResponse,
  type RemoteTask,
  type RemoteWorkersSnapshot,
} from './protocol.js';
import { type Waiter as QueueWaiter, TaskQueue } from './task-queue.js';

/** Options of {@link RemoteWorkerHub}. */
export interface RemoteWorkerHubOptions {
  /** Time source (tests inject a `FakeClock`). @default the system clock */
  clock?: Clock;
  /**
   * A leased task expires this long after its hand-over or last heartbeat, a registration this long
   * after the worker was last heard from (at most 86400). @default 30
   */
  leaseSeconds?: number;
  /** The wait a poll asks for by default (at most 30). @default 20 */
  pollSeconds?: number;
  /** Registered workers at most; more registrations answer 409. @default 1000 */
  maxWorkers?: number;
  /** Polls one worker may have waiting at once; more answer 409. @default 256 */
  maxPollsPerWorker?: number;
  /** Where lost workers and tasks are logged. @default silent */
  logger?: Logger;
}

/** The engine surface the hub needs: install proxy handlers, see which names are taken. */
export interface ActionHost {
  registerAction(name: string, handler: ActionHandler): void;
  listActions(): string[];
  /** The handler registered under `name`: tells a proxy of the hub from a local handler. */
  getAction?(name: string): ActionHandler | undefined;
}

interface Task {
  readonly wire: RemoteTask;
  readonly seq: number;
  state: 'queued' | 'leased' | 'cancelled';
  /** The step attempt's context: the hub reports to it how long the task waited for a worker. */
  readonly ctx: StepContext;
  /** When it last entered the queue. */
  queuedAt: number;
  leasedAt: number;
  leaseUntil: number;
  settled: boolean;
  resolve(output: unknown): void;
  reject(error: unknown): void;
}

interface Waiter extends QueueWaiter<Task> {
  readonly worker: Worker;
}

interface Worker {
  readonly id: string;
  readonly name: string | undefined;
  readonly actions: ReadonlySet<string>;
  readonly registeredAt: number;
  lastSeen: number;
  readonly waiters: Set<Waiter>;
  readonly tasks: Map<string, Task>;
}

/**
 * Longest `leaseSeconds` (a day). Workers heartbeat every third of it; past 2^31-1 ms Node ran
 * their heartbeat interval every 1 ms.
 */
export const MAX_LEASE_SECONDS = 86_400;

function positive(name: string, value: number | undefined, fallback: number, max = Infinity): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new ValidationError(
      [
        {
          path: name,
          message: `Expected \`${name}\` to be a positive number up to ${max}, got ${describeValue(v)}`,
        },
      ],
      'Invalid RemoteWorkerHub options',
    );
  }
  return v;
}

/** A count (`maxWorkers`, `maxPollsPerWorker`): a positive integer. */
function count(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new ValidationError(
      [{ path: name, message: `Expected \`${name}\` to be a positive integer, got ${describeValue(v)}` }],
      'Invalid RemoteWorkerHub options',
    );
  }
  return v;
}

const HUB_OPTION_KEYS: readonly (keyof RemoteWorkerHubOptions)[] = [
  'clock',
  'leaseSeconds',
  'pollSeconds',
  'maxWorkers',
  'maxPollsPerWorker',
  'logger',
];

/** The shape of the options: an object of known keys, a clock with its methods, a logger. */
function checkHubOptions(options: RemoteWorkerHubOptions): void {
  const invalid = (issues: Issue[]) => {
    if (issues.length > 0) throw new ValidationError(issues, 'Invalid RemoteWorkerHub options');
  };
  invalid(optionsIssues(options, HUB_OPTION_KEYS, { path: 'options', expected: 'an object' }));
  const issues: Issue[] = [];
  const missing = options.clock === undefined ? [] : missingClockMethods(options.clock);
  if (missing.length > 0) {
    issues.push({
      path: 'clock',
      message: `Expected \`clock\` to implement now(), setTimer() and sleep(); it lacks ${missing.map((m) => `${m}()`).join(', ')}`,
    });
  }
  const { logger } = options;
  // The same test as the config's `logger` (the orchestrator's logger is passed on here).
  if (logger !== undefined && !isLogger(logger))
    issues.push({ path: 'logger', message: loggerRefusal(logger) });
  invalid(issues);
}

function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

/**
 * What keeps `name` from being an action remote workers serve (the engine's name rule, not a
 * built-in), worded to follow the name; null when nothing does.
 */
export function actionNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || !ACTION_NAME_PATTERN.test(name)) {
    return 'must match [A-Za-z0-9_.-]+ (at most 128 characters)';
  }
  // A definition refuses it ("'__proto__' is reserved"): no task could ever come.
  if (name === RESERVED_ACTION_NAME) return 'is reserved (no workflow step can name it as its action)';
  return BUILTIN_ACTION_NAMES.has(name) ? 'is a built-in action' : null;
}

/**
 * Checks action names: the engine's name rule, no built-ins, no duplicates.
 * @throws ValidationError headed `heading` (the method's: 'Invalid register arguments').
 */
function checkActionNames(names: unknown, path: string, heading: string): string[] {
  if (!Array.isArray(names) || names.length === 0) {
    const got = Array.isArray(names) ? 'an empty array' : describeValue(names);
    throw new ValidationError(
      [{ path, message: `expected a non-empty array of action names, got ${got}` }],
      heading,
    );
  }
  const issues = [];
  for (const [i, name] of names.entries()) {
    const problem = actionNameProblem(name);
    if (problem) issues.push({ path: `${path}[${i}]`, message: `the name ${problem}` });
  }
  if (issues.length > 0) throw new ValidationError(issues, heading);
  return [...new Set(names as string[])];
}

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
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly leaseMs: number;
  private readonly sweepMs: number;
  private readonly maxWorkers: number;
  private readonly maxPolls: number;
  private readonly workers = new Map<string, Worker>();
  private readonly queue = new TaskQueue<Task, Waiter>();
  /** Actions whose engine handler is this hub's proxy. */
  /** The proxy handler the hub made for each action it routes to remote workers. */
  private readonly proxies = new Map<string, ActionHandler>();
  private host: ActionHost | null = null;
  private sweeper: TimerHandle | null = null;
  private sweepDueAt = 0;
  private seq = 0;
  private closed = false;

  constructor(options: RemoteWorkerHubOptions = {}) {
    checkHubOptions(options);
    this.clock = options.clock ?? systemClock;
    // Guarded as the engine's: a report that throws (a closed destination, a logger without
    // `info`) must not skip what follows it — failing a lost worker's tasks, the next sweep.
    this.logger = options.logger === undefined ? undefined : guardedLogger(options.logger);
    this.leaseSeconds = positive('leaseSeconds', options.leaseSeconds, 30, MAX_LEASE_SECONDS);
    this.pollSeconds = positive('pollSeconds', options.pollSeconds, 20, MAX_POLL_WAIT_SECONDS);
    this.maxWorkers = count('maxWorkers', options.maxWorkers, 1000);
    this.maxPolls = count('maxPollsPerWorker', options.maxPollsPerWorker, 256);
    this.leaseMs = this.leaseSeconds * 1000;
    this.sweepMs = Math.min(1000, this.leaseMs / 4);
  }

  /**
   * Lets the hub install proxy handlers in an engine (`orch.workflowEngine`) for actions that
   * workers register and no local handler serves. Returns the hub.
   */
  attach(host: ActionHost): this {
    const engine = host as Partial<ActionHost> | null;
    if (typeof engine?.registerAction !== 'function' || typeof engine.listActions !== 'function') {
      throw new ValidationError(
        [
          {
            path: 'host',
            message: `Expected an engine with registerAction() and listActions() (orch.workflowEngine), got ${describeValue(host)}`,
          },
        ],
        'Invalid attach arguments',
      );
    }
    if (this.host && this.host !== host) {
      throw new ConflictError('This remote worker hub is already attached to another engine');
    }
    this.host = host;
    return this;
  }

  /**
   * Proxy handlers for actions served by remote workers, to pass in `createOrchestrator`'s
   * `actions` so they exist before unfinished executions resume (a step never fails with
   * `ACTION_NOT_FOUND` just because its worker has not registered yet).
   */
  actions(names: string[]): Record<string, ActionHandler> {
    const out: Record<string, ActionHandler> = {};
    for (const name of checkActionNames(names, 'names', 'Invalid actions arguments')) {
      out[name] = this.proxyFor(name);
    }
    return out;
  }

  /** Registers a worker; installs proxies for its actions. @throws ConflictError for an action a local handler serves. */
  register(request: RegisterRequest): RegisterResponse {
    if (this.closed) throw new ClosedError();
    const actions = checkActionNames(request.actions, 'actions', 'Invalid register arguments');
    if (this.workers.size >= this.maxWorkers) {
      throw new ConflictError(`Too many remote workers are registered (at most ${this.maxWorkers})`);
    }
    const taken = new Set(this.host?.listActions() ?? []);
    // A local handler: registered, and not (or no longer: registering replaces) the hub's proxy.
    const local = actions.filter(
      (a) =>
        taken.has(a) &&
        (!this.proxies.has(a) ||
          (this.host?.getAction !== undefined && this.host.getAction(a) !== this.proxies.get(a))),
    );
    if (local.length > 0) {
      throw new ConflictError(
        `A local handler serves ${local.map((a) => `'${a}'`).join(', ')} on this node; remote workers cannot serve it`,
      );
    }
    const unserved = actions.filter((a) => !this.proxies.has(a));
    if (unserved.length > 0 && !this.host) {
      throw new ConflictError(
        `This node does not route ${unserved.map((a) => `'${a}'`).join(', ')} to remote workers`,
      );
    }
    for (const action of unserved) this.host?.registerAction(action, this.proxyFor(action));
    const now = this.clock.now();
    const worker: Worker = {
      id: randomId('rw'),
      name: request.name,
      actions: new Set(actions),
      registeredAt: now,
      lastSeen: now,
      waiters: new Set(),
      tasks: new Map(),
    };
    this.workers.set(worker.id, worker);
    this.logger?.info({ workerId: worker.id, name: worker.name, actions }, 'remote worker registered');
    this.armSweeper();
    return { workerId: worker.id, leaseSeconds: this.leaseSeconds, pollSeconds: this.pollSeconds };
  }

  /**
   * Waits up to `waitSeconds` for a task of the worker's actions and leases it to the worker.
   * Resolves null when none came (or `signal` aborted: the client went away).
   * @throws RemoteWorkerNotFoundError for an unknown worker; ClosedError once the hub is closed.
   */
  async poll(workerId: string, request: PollRequest = {}, signal?: AbortSignal): Promise<RemoteTask | null> {
    const worker = this.touch(workerId);
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
    let queued = this.queue.take(actions);
    while (queued && this.over(queued)) queued = this.queue.take(actions);
    if (queued) {
      this.lease(queued, worker);
      return queued.wire;
    }
    if (!(wait > 0) || signal?.aborted) return null;
    if (worker.waiters.size >= this.maxPolls) {
      throw new ConflictError(`Worker '${workerId}' already has ${this.maxPolls} polls waiting`);
    }
    return new Promise((resolve) => {
      let done = false;
      const finish = (task: Task | null) => {
        if (done) return;
        done = true;
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        this.queue.removeWaiter(waiter);
        worker.waiters.delete(waiter);
        worker.lastSeen = Math.max(worker.lastSeen, this.clock.now());
        resolve(task ? task.wire : null);
      };
      const onAbort = () => finish(null);
      const waiter: Waiter = { worker, actions, hand: finish };
      const timer = this.clock.setTimer(() => finish(null), wait * 1000);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.addWaiter(waiter);
      worker.waiters.add(waiter);
    });
  }

  /**
   * Puts a task handed to a poll back at the head of its queue (the answer could not be
   * delivered: the client went away first). No effect unless the worker still holds it.
   */
  unlease(workerId: string, taskId: string): void {
    const worker = this.workers.get(workerId);
    const task = worker?.tasks.get(taskId);
    if (!worker || !task) return;
    worker.tasks.delete(taskId);
    if (task.state !== 'leased') return;
    task.state = 'queued';
    task.queuedAt = this.clock.now();
    this.dispatch(task, true);
  }

  /** Renews the lease of a task; `cancelled` tells the worker to stop. @throws ConflictError when the worker no longer holds it. */
  heartbeat(workerId: string, taskId: string): { cancelled: boolean } {
    const worker = this.touch(workerId);
    const task = this.held(worker, taskId);
    if (this.over(task)) return { cancelled: true };
    task.leaseUntil = this.clock.now() + this.leaseMs;
    return { cancelled: false };
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
    const { worker, task } = this.liveHeld(workerId, taskId);
    const copy = tryCopyJson(output, MAX_OUTPUT_TEXT);
    if (copy === NOT_JSON) {
      const problem = findJsonProblem(output, 'output') ?? {
        path: 'output',
        message: 'cannot be stored as JSON',
      };
      throw new ValidationError([problem], 'Invalid complete arguments');
    }
    // The engine's limit, checked here so that the worker hears it (a body limit above it let
    // such an output through, answered 204, and the step then failed with INVALID_OUTPUT).
    const text = copy === TOO_LARGE ? Number.POSITIVE_INFINITY : copiedJsonText(copy, MAX_OUTPUT_TEXT);
    if (text > MAX_OUTPUT_TEXT) {
      const message = jsonSizeOverLimit(text, MAX_OUTPUT_TEXT);
      throw new ValidationError([{ path: 'output', message }], 'Invalid complete arguments');
    }
    worker.tasks.delete(taskId);
    task.resolve(output === undefined ? null : output);
  }

  /**
   * Fails a task. `retryable: false` fails the step at once (a `NonRetryableError` with the
   * code); otherwise the step's retry policy decides.
   */
  fail(workerId: string, taskId: string, request: FailRequest): void {
    const task = this.takeBack(workerId, taskId);
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
    const task = this.takeBack(workerId, taskId);
    task.state = 'queued';
    task.queuedAt = this.clock.now();
    this.dispatch(task, true);
  }

  /** Removes a worker; the tasks it holds fail with `WORKER_LOST`. */
  deregister(workerId: string): void {
    this.drop(this.require(workerId), 'deregistered');
  }

  /** Registered workers with their leased tasks, and queued tasks by action. */
  snapshot(): RemoteWorkersSnapshot {
    const now = this.clock.now();
    const queued = this.queue.counts();
    return {
      workers: [...this.workers.values()].map((w) => ({
        id: w.id,
        ...(w.name === undefined ? {} : { name: w.name }),
        actions: [...w.actions],
        registeredAt: new Date(w.registeredAt),
        lastSeen: new Date(w.waiters.size > 0 ? now : w.lastSeen),
        polling: w.waiters.size,
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

  /** Answers every waiting poll with "no task" (so an HTTP server can close without waiting out long polls). */
  releasePolls(): void {
    for (const waiter of this.queue.allWaiters()) waiter.hand(null);
  }

  /**
   * Stops the hub: no more registrations or tasks handed out, waiting polls answered, every
   * worker dropped (the tasks they hold fail with `WORKER_LOST`). Queued tasks stay queued
   * until their step times out or is cancelled.
   */
  close(): void {
    this.closed = true;
    this.releasePolls();
    for (const worker of [...this.workers.values()]) this.drop(worker, 'the hub closed');
    this.sweeper?.cancel();
    this.sweeper = null;
  }

  /** Checks leases and registrations now (the sweeper does this every second). */
  sweep(): void {
    const now = this.clock.now();
    for (const worker of [...this.workers.values()]) {
      // A last contact ahead of `now`, or a lease ending more than a lease from it, means the system
      // clock was stepped back: count them from now, so a silent worker's tasks and registration
      // still run out a lease later (not the size of the step later, a day for a day's step).
      if (worker.lastSeen > now) worker.lastSeen = now;
      for (const task of [...worker.tasks.values()]) {
        if (task.leaseUntil - now > this.leaseMs) task.leaseUntil = now + this.leaseMs;
        if (now <= task.leaseUntil) continue;
        worker.tasks.delete(task.wire.taskId);
        if (task.state !== 'leased') continue;
        const why = `no heartbeat for ${this.leaseSeconds}s`;
        this.logger?.warn({ workerId: worker.id, taskId: task.wire.taskId, step: task.wire.step }, why);
        task.reject(new WorkerLostError(worker.id, task.wire.taskId, why));
      }
      if (worker.waiters.size === 0 && now - worker.lastSeen > this.leaseMs) {
        this.drop(worker, `not heard from for ${this.leaseSeconds}s`);
      }
    }
  }

  /** The hub's proxy handler for `action` (one per action). */
  private proxyFor(action: string): ActionHandler {
    let proxy = this.proxies.get(action);
    if (!proxy) {
      // Its work runs in the worker's process: a restart of this one while it waits is no sign of
      // a step that takes its process down (not counted against maxStepInterruptions).
      proxy = markOutOfProcess((input, ctx) => this.submit(action, input, ctx));
      this.proxies.set(action, proxy);
    }
    return proxy;
  }

  private submit(action: string, input: unknown, ctx: StepContext): Promise<unknown> {
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
        queuedAt: this.clock.now(),
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

  /** Hands a task to the oldest waiting poll that serves its action, else queues it. */
  private dispatch(task: Task, atHead: boolean): void {
    if (this.over(task)) return;
    const waiter = this.closed ? null : this.queue.waiterFor(task.wire.action);
    if (waiter) {
      this.lease(task, waiter.worker);
      waiter.hand(task);
    } else this.queue.push(task, atHead);
  }

  private lease(task: Task, worker: Worker): void {
    const now = this.clock.now();
    task.state = 'leased';
    task.leasedAt = now;
    reportQueueWait(task.ctx, now - task.queuedAt);
    task.leaseUntil = now + this.leaseMs;
    worker.tasks.set(task.wire.taskId, task);
  }

  /** The step's signal aborted: drop a queued task, mark a leased one cancelled. */
  private cancel(task: Task, reason: unknown): void {
    if (task.state === 'queued') this.queue.remove(task);
    else if (task.state === 'leased') task.state = 'cancelled';
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

  /** Takes a task back from the worker that holds it (for complete/fail/release). */
  private takeBack(workerId: string, taskId: string): Task {
    const { worker, task } = this.liveHeld(workerId, taskId);
    worker.tasks.delete(taskId);
    return task;
  }

  /**
   * The worker (marked as heard from) and the task it holds, its attempt not over.
   * @throws RemoteWorkerNotFoundError, or ConflictError for a task not held or cancelled (no longer held then).
   */
  private liveHeld(workerId: string, taskId: string): { worker: Worker; task: Task } {
    const worker = this.touch(workerId);
    const task = this.held(worker, taskId);
    if (this.over(task)) {
      worker.tasks.delete(taskId);
      throw new ConflictError(
        `Task ${echo(taskId)} was cancelled (its step was cancelled or timed out); the result is discarded`,
      );
    }
    return { worker, task };
  }

  private held(worker: Worker, taskId: string): Task {
    const task = worker.tasks.get(taskId);
    if (!task) {
      throw new ConflictError(
        `Task ${echo(taskId)} is not leased to worker '${worker.id}' (its lease expired, or it was already settled)`,
      );
    }
    return task;
  }

  private require(workerId: string): Worker {
    const worker = this.workers.get(workerId);
    if (!worker) throw new RemoteWorkerNotFoundError(workerId);
    return worker;
  }

  /** The worker, marked as heard from now. */
  private touch(workerId: string): Worker {
    const worker = this.require(workerId);
    worker.lastSeen = this.clock.now();
    return worker;
  }

  private drop(worker: Worker, why: string): void {
    this.workers.delete(worker.id);
    for (const waiter of [...worker.waiters]) waiter.hand(null);
    const lost = [...worker.tasks.values()];
    worker.tasks.clear();
    if (lost.length > 0)
      this.logger?.warn({ workerId: worker.id, tasks: lost.length }, `remote worker lost: ${why}`);
    for (const task of lost) {
      if (task.state === 'leased') task.reject(new WorkerLostError(worker.id, task.wire.taskId, why));
    }
  }

  private armSweeper(): void {
    if (this.sweeper || this.closed) return;
    this.sweepDueAt = this.clock.now() + this.sweepMs;
    this.sweeper = this.clock.setTimer(() => this.onSweep(), this.sweepMs, true);
  }

  private onSweep(): void {
    this.sweeper = null;
    // A sweep that runs a whole interval late means this process stalled: requests that queued
    // up behind the stall (heartbeats among them) run first, and expiry waits one more round.
    const late = this.clock.now() - this.sweepDueAt > this.sweepMs;
    if (!late) this.sweep();
    if (this.workers.size > 0) this.armSweeper();
  }
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
