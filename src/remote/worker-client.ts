/**
 * A TypeScript remote worker: serves actions to one or more orchestrator nodes over the
 * HTTP long-polling protocol of docs/remote-workers.md. It registers with every node, polls
 * them round-robin (each of `concurrency` slots runs one task at a time), runs the handler with
 * an AbortSignal, heartbeats while it runs, and reports the result. A heartbeat that answers
 * `cancelled` (or a lost lease) aborts the handler's signal; a 404 (the node restarted and
 * forgot the worker) makes it register again; network errors back off per node.
 *
 * Uses only `node:http(s)` with its own keep-alive agents: nothing from the server side is imported.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { MAX_TIMER_MS, systemClock } from '../clock.js';
import type { Logger } from '../config.js';
import { echo } from '../echo.js';
import { ClosedError, ConflictError } from '../errors.js';
import { guardedLogger } from '../guarded-logger.js';
import { findJsonProblem } from '../json-value.js';
import { textPrefix } from '../text-prefix.js';
import { HttpTransport, type JsonReply, RequestError } from './http-transport.js';
import {
  type FailRequest,
  MAX_POLL_WAIT_SECONDS,
  type RegisterResponse,
  type RemoteTask,
} from './protocol.js';
import { failMessage, failureOf } from './task-failure.js';
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

interface NodeState {
  readonly url: string;
  workerId: string | null;
  leaseSeconds: number;
  pollSeconds: number;
  registering: Promise<void> | null;
  failures: number;
  /** When the last counted failure happened, on the monotonic clock (-Infinity: none yet). */
  failedAt: number;
  /** When the next request to this node may go, on the monotonic clock (0: now). */
  retryAt: number;
}

/** When the node last renewed a task's lease, on the monotonic clock. */
interface Lease {
  renewedAt: number;
}

interface Running {
  abort(why: AbortWhy): void;
  readonly done: Promise<void>;
}

type AbortWhy = 'cancelled' | 'lost' | 'stopping';

const silent: Logger = { info() {}, warn() {}, error() {}, debug() {} };
const MAX_BACKOFF_MS = 30_000;

/**
 * Milliseconds on a monotonic clock, for the worker's own waits (backoff, report retries): they
 * are never stored nor compared across processes, and a system clock stepped back (NTP, a VM
 * resumed) must not stretch a half-second backoff into the size of the step.
 */
const monotonicNow = (): number => performance.now();

/**
 * Resolves after `ms`, or at once when `signal` aborts. The system clock chains delays over
 * Node's 2^31-1 ms limit (a plain `setTimeout` fires after 1 ms), so `stop({ grace: Infinity })`
 * waits for the running tasks.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = systemClock.setTimer(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

class RemoteWorkerClient implements RemoteWorker {
  private readonly nodes: NodeState[];
  private readonly handlers: Record<string, RemoteActionHandler>;
  private readonly concurrency: number;
  private readonly name: string | undefined;
  private readonly pollSeconds: number | undefined;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  /** Own keep-alive connections, so `stop()` leaves no socket open. */
  private readonly http: HttpTransport;
  private readonly tasks = new Set<Running>();
  /** Registration requests under way (each settles, never rejects): `stop()` waits for them. */
  private readonly registrationsInFlight = new Set<Promise<void>>();
  private readonly halt = new AbortController();
  private loops: Promise<void>[] = [];
  private next = 0;
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(options: RemoteWorkerOptions) {
    const urls = checkWorkerOptions(options);
    this.nodes = urls.map((url) => ({
      url,
      workerId: null,
      leaseSeconds: 30,
      pollSeconds: 20,
      registering: null,
      failures: 0,
      failedAt: Number.NEGATIVE_INFINITY,
      retryAt: 0,
    }));
    this.http = new HttpTransport(options.token);
    this.handlers = { ...options.actions };
    this.concurrency = options.concurrency ?? 1;
    // Each slot waits on the stop signal (its poll request, its back-off), and a poll's listener
    // goes only when its request closes, maybe after the next poll began: up to two per slot, by
    // design. Past Node's default of 10 (a worker of more than 10 slots), every worker warned
    // "Possible EventTarget memory leak detected", though nothing leaked.
    setMaxListeners(2 * this.concurrency + 10, this.halt.signal);
    this.name = options.name;
    this.pollSeconds = options.pollSeconds;
    this.timeoutMs = (options.requestTimeoutSeconds ?? 10) * 1000;
    // A report that throws (a closed destination, a logger without `info`) must not skip what
    // follows it: a back-off, a registration, a report of the task.
    this.log = options.logger === undefined ? silent : guardedLogger(options.logger);
  }

  get running(): number {
    return this.tasks.size;
  }

  get registrations(): { url: string; workerId: string | null }[] {
    return this.nodes.map((n) => ({ url: n.url, workerId: n.workerId }));
  }

  async start(): Promise<void> {
    // A stopped worker's slots and connections are gone: a start would resolve and serve nothing.
    if (this.stopping)
      throw new ClosedError('This remote worker was stopped: create a new one to start again');
    if (this.started) throw new ConflictError('This remote worker was already started');
    this.started = true;
    const sentAt = monotonicNow();
    const results = await Promise.allSettled(this.nodes.map((node) => this.register(node)));
    const refused = results.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' && r.reason instanceof RequestError && r.reason.status < 500,
    );
    if (refused) {
      this.halt.abort();
      await Promise.all(this.nodes.map((n) => this.deregister(n)));
      throw refused.reason;
    }
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') this.backoff(this.nodes[i]!, r.reason, 'register', sentAt);
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
    await Promise.all(this.registrationsInFlight);
    await Promise.all(this.nodes.map((n) => this.deregister(n)));
    this.http.destroy();
  }

  /** One slot: pick a node, make sure it knows us, poll it, run what it hands out. */
  private async loop(): Promise<void> {
    while (!this.halt.signal.aborted) {
      const node = await this.pickNode();
      if (!node) return;
      if (!node.workerId) {
        await this.ensureRegistered(node);
        continue;
      }
      const workerId = node.workerId;
      const sentAt = monotonicNow();
      let task: RemoteTask | null;
      try {
        task = await this.poll(node, workerId);
      } catch (error) {
        if (this.halt.signal.aborted) return;
        this.backoff(node, error, 'poll', sentAt);
        continue;
      }
      node.failures = 0;
      if (task) await this.run(node, workerId, task);
    }
  }

  /** The next node in round-robin order that is not backing off; waits when all are. */
  private async pickNode(): Promise<NodeState | null> {
    while (!this.halt.signal.aborted) {
      const now = monotonicNow();
      for (let i = 0; i < this.nodes.length; i++) {
        const node = this.nodes[(this.next + i) % this.nodes.length]!;
        if (node.retryAt <= now) {
          this.next = (this.next + i + 1) % this.nodes.length;
          return node;
        }
      }
      const soonest = Math.min(...this.nodes.map((n) => n.retryAt));
      await sleep(Math.max(1, soonest - now), this.halt.signal);
    }
    return null;
  }

  private ensureRegistered(node: NodeState): Promise<void> {
    const sentAt = monotonicNow();
    node.registering ??= this.register(node)
      .catch((error) => this.backoff(node, error, 'register', sentAt))
      .finally(() => {
        node.registering = null;
      });
    return node.registering;
  }

  /**
   * Registers with `node`. The request is not aborted by `stop()`: the node may have registered the
   * worker already, and `stop()` waits for the answer to deregister that registration.
   */
  private register(node: NodeState): Promise<void> {
    const attempt = this.registerOnce(node);
    const settled = attempt.then(
      () => undefined,
      () => undefined,
    );
    this.registrationsInFlight.add(settled);
    void settled.then(() => this.registrationsInFlight.delete(settled));
    return attempt;
  }

  private async registerOnce(node: NodeState): Promise<void> {
    const body = { actions: Object.keys(this.handlers), ...(this.name ? { name: this.name } : {}) };
    const res = await this.request(node, 'POST', '/v1/remote-workers', body, this.timeoutMs);
    if (res.status !== 201) {
      // Named by URL: with several nodes, the node's own message does not say which refused.
      const { code, message } = new RequestError(res.status, res.body);
      const why = message === `HTTP ${res.status}` ? '' : `: ${message}`;
      throw new RequestError(
        res.status,
        res.body,
        `${node.url} refused the registration (HTTP ${res.status}${code ? ` ${code}` : ''})${why}`,
      );
    }
    const reg = res.body as Partial<RegisterResponse> | undefined;
    if (
      typeof reg?.workerId !== 'string' ||
      !reg.workerId ||
      !positiveNumber(reg.leaseSeconds) ||
      !positiveNumber(reg.pollSeconds)
    ) {
      throw new RequestError(
        res.status,
        res.body,
        `${node.url} answered HTTP 201 with ${answerStart(res.body)}: not a remote-worker registration (is this an orchestrator's URL?)`,
      );
    }
    node.workerId = reg.workerId;
    node.leaseSeconds = reg.leaseSeconds;
    // An orchestrator never answers more; a longer wait would be refused by it, and its request
    // timeout would pass Node's 2^31-1 ms limit (every poll then timed out after 1 ms).
    node.pollSeconds = Math.min(reg.pollSeconds, MAX_POLL_WAIT_SECONDS);
    node.failures = 0;
    node.retryAt = 0;
    this.log.info({ url: node.url, workerId: reg.workerId }, 'remote worker registered');
  }

  private async deregister(node: NodeState): Promise<void> {
    const id = node.workerId;
    if (!id) return;
    node.workerId = null;
    try {
      await this.request(node, 'DELETE', `/v1/remote-workers/${id}`, undefined, this.timeoutMs);
    } catch (error) {
      this.log.warn(
        { url: node.url, err: error },
        'could not deregister; the registration expires on its own',
      );
    }
  }

  private async poll(node: NodeState, workerId: string): Promise<RemoteTask | null> {
    const wait =
      this.pollSeconds ?? (this.nodes.length > 1 ? Math.min(node.pollSeconds, 5) : node.pollSeconds);
    const res = await this.request(
      node,
      'POST',
      `/v1/remote-workers/${workerId}/poll`,
      { waitSeconds: wait },
      wait * 1000 + this.timeoutMs,
      this.halt.signal,
    );
    if (res.status === 200) {
      const task = (res.body as { task?: Partial<RemoteTask> } | undefined)?.task;
      if (typeof task?.taskId === 'string' && typeof task.action === 'string') return task as RemoteTask;
      // Not a task: back off rather than poll again at once.
      throw new RequestError(res.status, res.body, `${node.url} answered a poll with HTTP 200 but no task`);
    }
    if (res.status === 204) return null;
    if (res.status === 404) {
      this.forget(node, workerId);
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
    const beat = this.heartbeats(node, workerId, task, entry, lease);
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
      let outcome: { ok: true; output: unknown } | { ok: false; error: unknown };
      try {
        if (!handler)
          throw Object.assign(new Error(`No handler for '${task.action}'`), { code: 'NO_HANDLER' });
        outcome = { ok: true, output: await raceAbort(handler(task.input, ctx), controller.signal) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      clearInterval(beat);
      await this.report(node, workerId, task, outcome, why, lease.renewedAt + node.leaseSeconds * 1000);
    } finally {
      clearInterval(beat);
      this.tasks.delete(entry);
      finish();
    }
  }

  /**
   * Renews the lease every third of it; aborts the task when the node says cancelled or lost, or
   * when no heartbeat got through for a whole lease (the node expired it, or is gone).
   */
  private heartbeats(
    node: NodeState,
    workerId: string,
    task: RemoteTask,
    entry: Running,
    lease: Lease,
  ): NodeJS.Timeout {
    let inFlight = false;
    const runOut = () => {
      if (monotonicNow() - lease.renewedAt > node.leaseSeconds * 1000) entry.abort('lost');
    };
    const path = `/v1/remote-workers/${workerId}/tasks/${task.taskId}/heartbeat`;
    return setInterval(
      async () => {
        if (inFlight) return;
        inFlight = true;
        try {
          const res = await this.request(node, 'POST', path, undefined, this.timeoutMs);
          if (res.status === 200) lease.renewedAt = monotonicNow();
          if (res.status === 200 && (res.body as { cancelled?: boolean }).cancelled) entry.abort('cancelled');
          else if (res.status === 409) entry.abort('lost');
          else if (res.status === 404) {
            this.forget(node, workerId);
            entry.abort('lost');
          } else if (res.status !== 200) runOut();
        } catch (error) {
          this.log.debug({ url: node.url, err: error }, 'heartbeat failed; trying again');
          runOut();
        } finally {
          inFlight = false;
        }
      },
      // Node runs a longer interval every 1 ms; a lease that long outlives this one anyway.
      Math.min(MAX_TIMER_MS, Math.max(100, (node.leaseSeconds * 1000) / 3)),
    );
  }

  private async report(
    node: NodeState,
    workerId: string,
    task: RemoteTask,
    outcome: { ok: true; output: unknown } | { ok: false; error: unknown },
    why: AbortWhy | null,
    leaseEnd: number,
  ): Promise<void> {
    if (why === 'lost') {
      this.log.warn({ taskId: task.taskId }, 'task lease lost; its result is dropped (the step is retried)');
      return;
    }
    const base = `/v1/remote-workers/${workerId}/tasks/${task.taskId}`;
    if (!outcome.ok && why === 'stopping') {
      // Given back, not failed: the next poll gets it as the same attempt, so a step without
      // `retry` does not fail because this worker stopped. A node without the route (404, 405:
      // an older version) is told the task failed, WORKER_STOPPED and retryable, instead.
      const status = await this.send(node, workerId, `${base}/release`, undefined, leaseEnd, [404, 405]);
      if (status !== 404 && status !== 405) return;
    }
    if (!outcome.ok) {
      // The handler's own failure, unless its signal aborted it first.
      const failure: FailRequest =
        why === 'cancelled'
          ? { error: { code: 'CANCELLED', message: 'cancelled by the orchestrator' } }
          : why === 'stopping'
            ? {
                error: {
                  code: 'WORKER_STOPPED',
                  message: 'the remote worker stopped before the task finished',
                },
                retryable: true,
              }
            : failureOf(outcome.error);
      await this.send(node, workerId, `${base}/fail`, failure, leaseEnd);
      return;
    }
    // As for a local handler: a value JSON would change (a Map, a function, NaN) fails the step;
    // so does one that throws while it is read (a getter).
    let body: string | null = null;
    let notJson = '';
    try {
      const problem = findJsonProblem(outcome.output, 'output');
      if (problem) notJson = `${echo(problem.path, null)}: ${problem.message}`;
      else body = JSON.stringify({ output: outcome.output === undefined ? null : outcome.output });
    } catch (error) {
      notJson = failureOf(error).error.message;
    }
    if (body === null) {
      const failure = { code: 'INVALID_OUTPUT', message: failMessage(`output is not JSON: ${notJson}`) };
      await this.send(node, workerId, `${base}/fail`, { error: failure, retryable: false }, leaseEnd);
      return;
    }
    // A refused output (400, 413) is reported as a failure right after: not a lost result.
    const status = await this.send(node, workerId, `${base}/complete`, body, leaseEnd, [400, 413]);
    if (status === 413 || status === 400) {
      const failure = {
        code: status === 413 ? 'OUTPUT_TOO_LARGE' : 'INVALID_OUTPUT',
        message: `the orchestrator refused the output (HTTP ${status})`,
      };
      await this.send(node, workerId, `${base}/fail`, { error: failure, retryable: false }, leaseEnd);
    }
  }

  /**
   * Sends a report, retrying network errors and 5xx until the lease would have run out (`until`,
   * on the monotonic clock; once while stopping). Returns the final status (0 when it never got through).
   * A refusal other than a lost lease (409), a lost registration (404) or one of `handled` loses the
   * result without the node knowing (a 401 once the token changed, a proxy's 403): it is logged.
   */
  private async send(
    node: NodeState,
    workerId: string,
    path: string,
    body: unknown,
    until: number,
    handled: readonly number[] = [],
  ): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.request(node, 'POST', path, body, this.timeoutMs);
        if (res.status === 404) this.forget(node, workerId);
        const reason = (res.body as { error?: unknown } | undefined)?.error;
        if (res.status === 409) this.log.info({ path, reason }, 'report refused');
        else if (
          res.status >= 400 &&
          res.status < 500 &&
          res.status !== 404 &&
          !handled.includes(res.status)
        ) {
          this.log.warn(
            { url: node.url, path, status: res.status, reason },
            'report refused; the result is lost and the task fails with WORKER_LOST once its lease runs out',
          );
        }
        if (res.status < 500) return res.status;
      } catch (error) {
        this.log.warn({ url: node.url, err: error }, 'report failed');
      }
      if (this.stopping || monotonicNow() >= until) return 0;
      await sleep(Math.min(5000, 200 * 2 ** attempt));
    }
  }

  private forget(node: NodeState, workerId: string): void {
    if (node.workerId === workerId) {
      node.workerId = null;
      this.log.warn(
        { url: node.url, workerId },
        'registration lost (the node restarted or expired it); registering again',
      );
    }
  }

  /**
   * Backs off from a node after a request sent at `sentAt` failed. A request sent before the last
   * counted failure failed in the same outage (every slot's poll is cut when a node restarts): it
   * is not counted again, so the back-off doubles per outage, not per slot.
   */
  private backoff(node: NodeState, error: unknown, what: string, sentAt: number): void {
    if (this.halt.signal.aborted) return;
    if (sentAt < node.failedAt) {
      this.log.debug({ url: node.url, err: error }, `${what} failed; already backing off`);
      return;
    }
    node.failures++;
    node.failedAt = monotonicNow();
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (node.failures - 1));
    node.retryAt = monotonicNow() + base * (0.5 + Math.random() / 2);
    this.log.warn({ url: node.url, err: error, failures: node.failures }, `${what} failed; backing off`);
  }

  private request(
    node: NodeState,
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<JsonReply> {
    return this.http.request(`${node.url}${path}`, method, body, timeoutMs, signal);
  }
}

function positiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

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

/** An answer's JSON for a message: its first 200 characters and '…' when longer (a pair never split). */
function answerStart(body: unknown): string {
  const text = JSON.stringify(body) ?? String(body);
  const start = textPrefix(text, 200);
  return start.length < text.length ? `${start}…` : start;
}
