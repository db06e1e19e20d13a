/**
 * A TypeScript remote worker: serves actions to one or more orchestrator nodes over the
 * HTTP long-polling protocol of docs/remote-workers.md. It registers with every node, polls
 * them round-robin (each of `concurrency` slots runs one task at a time), runs the handler with
 * an AbortSignal, heartbeats while it runs, and reports the result. A heartbeat that answers
 * `cancelled` (or a lost lease, or a node that answers 503 `CLOSED`) aborts the handler's signal;
 * a 404 (the node restarted and forgot the worker) makes it register again (after a back-off when
 * the node never knew it: a URL leading to several nodes); network errors and 5xx back off per node.
 *
 * Uses only `node:http(s)` with its own keep-alive agents: nothing from the server side is imported.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { MAX_TIMER_MS } from '../clock.js';
import type { Logger } from '../config.js';
import { ClosedError, ConflictError } from '../errors.js';
import { guardedLogger } from '../guarded-logger.js';
import { isClosedAnswer, RequestError } from './http-transport.js';
import type { RemoteTask } from './protocol.js';
import { type AbortWhy, type Outcome, TaskReporter } from './task-report.js';
import { monotonicNow, sleep } from './worker-clock.js';
import { type NodeState, WorkerNodes } from './worker-nodes.js';
import {
  checkStopOptions,
  checkWorkerOptions,
  type RemoteActionHandler,
  type RemoteTaskContext,
  type RemoteWorker,
  type RemoteWorkerOptions,
  type RemoteWorkerStopOptions,
} from './worker-options.js';

export type {
  RemoteActionHandler,
  RemoteTaskContext,
  RemoteWorker,
  RemoteWorkerOptions,
  RemoteWorkerStopOptions,
} from './worker-options.js';

/** When the node last renewed a task's lease, on the monotonic clock. */
interface Lease {
  renewedAt: number;
}

interface Running {
  abort(why: AbortWhy): void;
  readonly done: Promise<void>;
}

const silent: Logger = { info() {}, warn() {}, error() {}, debug() {} };

class RemoteWorkerClient implements RemoteWorker {
  /** The nodes served, with the worker's registration with each and its own connections. */
  private readonly nodes: WorkerNodes;
  private readonly reporter: TaskReporter;
  private readonly handlers: Record<string, RemoteActionHandler>;
  private readonly concurrency: number;
  private readonly pollSeconds: number | undefined;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly tasks = new Set<Running>();
  private readonly halt = new AbortController();
  private loops: Promise<void>[] = [];
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(options: RemoteWorkerOptions) {
    const urls = checkWorkerOptions(options);
    this.handlers = { ...options.actions };
    this.concurrency = options.concurrency ?? 1;
    // Each slot waits on the stop signal (its poll request, its back-off), and a poll's listener
    // goes only when its request closes, maybe after the next poll began: up to two per slot, by
    // design. Past Node's default of 10 (a worker of more than 10 slots), every worker warned
    // "Possible EventTarget memory leak detected", though nothing leaked.
    setMaxListeners(2 * this.concurrency + 10, this.halt.signal);
    this.pollSeconds = options.pollSeconds;
    this.timeoutMs = (options.requestTimeoutSeconds ?? 10) * 1000;
    // A report that throws (a closed destination, a logger without `info`) must not skip what
    // follows it: a back-off, a registration, a report of the task.
    this.log = options.logger === undefined ? silent : guardedLogger(options.logger);
    this.nodes = new WorkerNodes({
      urls,
      token: options.token,
      handlers: this.handlers,
      name: options.name,
      timeoutMs: this.timeoutMs,
      log: this.log,
      halt: this.halt.signal,
    });
    this.reporter = new TaskReporter(this.nodes, this.timeoutMs, this.log, () => this.stopping !== null);
  }

  get running(): number {
    return this.tasks.size;
  }

  get registrations(): { url: string; workerId: string | null }[] {
    return this.nodes.registrations;
  }

  async start(): Promise<void> {
    // A stopped worker's slots and connections are gone: a start would resolve and serve nothing.
    if (this.stopping)
      throw new ClosedError('This remote worker was stopped: create a new one to start again');
    if (this.started) throw new ConflictError('This remote worker was already started');
    this.started = true;
    const sentAt = monotonicNow();
    const results = await Promise.allSettled(this.nodes.list.map((node) => this.nodes.register(node)));
    const refused = results.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' && r.reason instanceof RequestError && r.reason.status < 500,
    );
    if (refused) {
      this.halt.abort();
      await Promise.all(this.nodes.list.map((n) => this.nodes.deregister(n)));
      throw refused.reason;
    }
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') this.nodes.backoff(this.nodes.list[i]!, r.reason, 'register', sentAt);
    }
    this.loops = Array.from({ length: this.concurrency }, () => this.loop());
  }

  stop(options: RemoteWorkerStopOptions = {}): Promise<void> {
    if (this.stopping === null) {
      let grace: number;
      try {
        grace = checkStopOptions(options);
      } catch (error) {
        return Promise.reject(error);
      }
      this.stopping = this.shutdown(grace);
    }
    return this.stopping;
  }

  private async shutdown(graceSeconds: number): Promise<void> {
    this.halt.abort();
    if (graceSeconds > 0 && this.tasks.size > 0) {
      // The grace timer is cleared when the tasks end first: it must not keep the process alive.
      const graceOver = new AbortController();
      await Promise.race([
        Promise.all([...this.tasks].map((t) => t.done)),
        sleep(graceSeconds * 1000, graceOver.signal).catch(() => undefined),
      ]);
      graceOver.abort();
    }
    for (const task of this.tasks) task.abort('stopping');
    await Promise.all(this.loops);
    await this.nodes.registrationsSettled();
    await Promise.all(this.nodes.list.map((n) => this.nodes.deregister(n)));
    this.nodes.destroy();
  }

  /** One slot: pick a node, make sure it knows us, poll it, run what it hands out. */
  private async loop(): Promise<void> {
    while (!this.halt.signal.aborted) {
      const node = await this.nodes.pick();
      if (!node) return;
      if (!node.workerId) {
        await this.nodes.ensureRegistered(node);
        continue;
      }
      const workerId = node.workerId;
      const sentAt = monotonicNow();
      let task: RemoteTask | null;
      try {
        task = await this.poll(node, workerId);
      } catch (error) {
        if (this.halt.signal.aborted) return;
        this.nodes.backoff(node, error, 'poll', sentAt);
        continue;
      }
      node.failures = 0;
      if (task) await this.run(node, workerId, task);
    }
  }

  private async poll(node: NodeState, workerId: string): Promise<RemoteTask | null> {
    const wait =
      this.pollSeconds ?? (this.nodes.list.length > 1 ? Math.min(node.pollSeconds, 5) : node.pollSeconds);
    const res = await this.nodes.request(
      node,
      'POST',
      `/v1/remote-workers/${workerId}/poll`,
      { waitSeconds: wait },
      wait * 1000 + this.timeoutMs,
      this.halt.signal,
    );
    if (res.status === 200) {
      const task = (res.body as { task?: Partial<RemoteTask> } | undefined)?.task;
      if (typeof task?.taskId === 'string' && typeof task.action === 'string') {
        this.nodes.known(node, workerId);
        return task as RemoteTask;
      }
      // Not a task: back off rather than poll again at once.
      throw new RequestError(res.status, res.body, `${node.url} answered a poll with HTTP 200 but no task`);
    }
    if (res.status === 204) {
      this.nodes.known(node, workerId);
      return null;
    }
    if (res.status === 404) {
      // Registers again: at once when the node forgot the worker, after a back-off when it never
      // knew it (the URL leads to several nodes).
      this.nodes.unknownAtPoll(node, workerId);
      return null;
    }
    throw new RequestError(res.status, res.body);
  }

  /** Runs one task with heartbeats, then reports its outcome. */
  private async run(node: NodeState, workerId: string, task: RemoteTask): Promise<void> {
    const controller = new AbortController();
    let why: AbortWhy | null = null;
    let finish!: () => void;
    const entry: Running = {
      abort: (reason) => {
        if (why) return;
        why = reason;
        controller.abort(new Error(`Task ${task.taskId} was aborted: ${reason}`));
      },
      done: new Promise<void>((resolve) => {
        finish = resolve;
      }),
    };
    this.tasks.add(entry);
    // The lease runs from the hand-over, and from each heartbeat the node answered.
    const lease: Lease = { renewedAt: monotonicNow() };
    const stopBeats = this.heartbeats(node, workerId, task, entry, lease);
    try {
      const handler = Object.hasOwn(this.handlers, task.action) ? this.handlers[task.action] : undefined;
      const ctx: RemoteTaskContext = {
        taskId: task.taskId,
        action: task.action,
        executionId: task.executionId,
        workflowId: task.workflowId,
        stepName: task.step,
        attempt: task.attempt,
        idempotencyKey: task.idempotencyKey,
        deadline: task.deadline === null ? null : new Date(task.deadline),
        signal: controller.signal,
      };
      let outcome: Outcome;
      try {
        if (!handler)
          throw Object.assign(new Error(`No handler for '${task.action}'`), { code: 'NO_HANDLER' });
        outcome = { ok: true, output: await raceAbort(handler(task.input, ctx), controller.signal) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      stopBeats();
      await this.reporter.report(
        node,
        workerId,
        task,
        outcome,
        why,
        lease.renewedAt + node.leaseSeconds * 1000,
      );
    } finally {
      stopBeats();
      this.tasks.delete(entry);
      finish();
    }
  }

  /**
   * Renews the lease every third of it; aborts the task when the node says cancelled or lost, or
   * when no heartbeat got through for a whole lease (the node expired it, or is gone). The lease is
   * checked at every tick, also while the last heartbeat is still unanswered (a stalled node, a
   * proxy holding the request): its answer may come as late as `requestTimeoutSeconds`, long after
   * the lease ran out. Returns the function that stops the heartbeats (and the one in flight).
   */
  private heartbeats(
    node: NodeState,
    workerId: string,
    task: RemoteTask,
    entry: Running,
    lease: Lease,
  ): () => void {
    let inFlight = false;
    const stopped = new AbortController();
    const runOut = () => {
      if (monotonicNow() - lease.renewedAt > node.leaseSeconds * 1000) entry.abort('lost');
    };
    const path = `/v1/remote-workers/${workerId}/tasks/${task.taskId}/heartbeat`;
    const beat = async () => {
      if (inFlight) {
        runOut();
        return;
      }
      inFlight = true;
      try {
        const res = await this.nodes.request(node, 'POST', path, undefined, this.timeoutMs, stopped.signal);
        if (res.status === 200) lease.renewedAt = monotonicNow();
        if (res.status === 200 && (res.body as { cancelled?: boolean }).cancelled) entry.abort('cancelled');
        else if (res.status === 409) entry.abort('lost');
        else if (res.status === 404) {
          this.nodes.forget(node, workerId);
          entry.abort('lost');
        } else if (isClosedAnswer(res)) {
          // The node is closed and no longer holds the task for us: its step runs again when the
          // execution resumes. (Polls back off until the node is back.)
          this.log.warn({ url: node.url, taskId: task.taskId }, 'the node is closed; stopping the task');
          entry.abort('lost');
        } else if (res.status !== 200) runOut();
      } catch (error) {
        if (stopped.signal.aborted) return;
        this.log.debug({ url: node.url, err: error }, 'heartbeat failed; trying again');
        runOut();
      } finally {
        inFlight = false;
      }
    };
    const timer = setInterval(
      beat,
      // Node runs a longer interval every 1 ms; a lease that long outlives this one anyway.
      Math.min(MAX_TIMER_MS, Math.max(100, (node.leaseSeconds * 1000) / 3)),
    );
    // One heartbeat more just past the attempt's deadline, as this host's clock tells it: the node
    // answers `cancelled` once its own clock says the attempt is over, and the handler's signal
    // aborts then rather than up to a third of a lease later, its work wasted meanwhile. (A clock
    // ahead of the node's only sends it early: the node says the attempt goes on.)
    // One in flight then (a slow node): asked again shortly after it answers.
    let atDeadline: NodeJS.Timeout | null = null;
    const deadlineBeat = () => {
      if (inFlight) atDeadline = setTimeout(deadlineBeat, DEADLINE_BEAT_MARGIN_MS);
      else void beat();
    };
    const untilDeadline =
      task.deadline === null ? Number.NaN : Date.parse(task.deadline) - Date.now() + DEADLINE_BEAT_MARGIN_MS;
    // (Past already, as a task handed out late is: asked at once.)
    if (untilDeadline < MAX_TIMER_MS) atDeadline = setTimeout(deadlineBeat, Math.max(0, untilDeadline));
    return () => {
      clearInterval(timer);
      if (atDeadline) clearTimeout(atDeadline);
      stopped.abort();
    };
  }
}

/** How long after a task's deadline (this host's clock) the heartbeat that asks whether it is over goes, ms. */
const DEADLINE_BEAT_MARGIN_MS = 50;

/** Resolves with the handler's value, or rejects with the signal's reason once it aborts. */
function raceAbort(value: unknown, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(value).then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Creates a remote worker that serves `actions` to an orchestrator's HTTP API. Call
 * `start()` to register and begin polling, `stop()` to finish.
 * @throws ValidationError naming the bad option: an unknown key, `urls` that is no array, a token
 *   no `Authorization` header can carry, `actions` that is no object of functions, ...
 * @example
 * ```ts
 * const worker = createRemoteWorker({
 *   url: 'http://127.0.0.1:8080',
 *   token: process.env.ORCHESTRATOR_API_TOKEN!,
 *   actions: { stt: async (input, ctx) => transcribe(input, { signal: ctx.signal }) },
 *   concurrency: 4,
 * });
 * await worker.start();
 * ```
 */
export function createRemoteWorker(options: RemoteWorkerOptions): RemoteWorker {
  return new RemoteWorkerClient(options);
}
