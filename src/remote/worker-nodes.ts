/**
 * The orchestrator nodes a remote worker serves: its registration with each (made again when a
 * node forgot it, undone when the worker stops), the back-off from a node whose requests fail,
 * and the round-robin pick of the node a slot polls next.
 * @module
 */
import type { Logger } from '../config.js';
import { textPrefix } from '../text-prefix.js';
import { HttpTransport, type JsonReply, RequestError } from './http-transport.js';
import { MAX_POLL_WAIT_SECONDS, type RegisterResponse } from './protocol.js';
import { monotonicNow, sleep } from './worker-clock.js';
import type { RemoteActionHandler } from './worker-options.js';

export interface NodeState {
  readonly url: string;
  workerId: string | null;
  leaseSeconds: number;
  pollSeconds: number;
  registering: Promise<void> | null;
  /** The registration a poll of this node was answered for (200, 204): the node knows it. */
  knownId: string | null;
  /** Registrations in a row the node did not know at their first poll (404): see {@link WorkerNodes.unknownAtPoll}. */
  strays: number;
  failures: number;
  /** When the last counted failure happened, on the monotonic clock (-Infinity: none yet). */
  failedAt: number;
  /** When the next request to this node may go, on the monotonic clock (0: now). */
  retryAt: number;
}

const MAX_BACKOFF_MS = 30_000;

/** What {@link WorkerNodes} needs of the worker. */
export interface WorkerNodesOptions {
  readonly urls: readonly string[];
  readonly token: string;
  /** The worker's handlers: it registers for their actions. */
  readonly handlers: Record<string, RemoteActionHandler>;
  readonly name: string | undefined;
  readonly timeoutMs: number;
  readonly log: Logger;
  /** Aborted when the worker stops: no more picks nor back-offs. */
  readonly halt: AbortSignal;
}

export class WorkerNodes {
  readonly list: NodeState[];
  private readonly handlers: Record<string, RemoteActionHandler>;
  private readonly name: string | undefined;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly halt: AbortSignal;
  /** Own keep-alive connections, so `stop()` leaves no socket open. */
  private readonly http: HttpTransport;
  /** Registration requests under way (each settles, never rejects): `stop()` waits for them. */
  private readonly registrationsInFlight = new Set<Promise<void>>();
  private next = 0;

  constructor(options: WorkerNodesOptions) {
    this.list = options.urls.map((url) => ({
      url,
      workerId: null,
      leaseSeconds: 30,
      pollSeconds: 20,
      registering: null,
      knownId: null,
      strays: 0,
      failures: 0,
      failedAt: Number.NEGATIVE_INFINITY,
      retryAt: 0,
    }));
    this.http = new HttpTransport(options.token);
    this.handlers = options.handlers;
    this.name = options.name;
    this.timeoutMs = options.timeoutMs;
    this.log = options.log;
    this.halt = options.halt;
  }

  get registrations(): { url: string; workerId: string | null }[] {
    return this.list.map((n) => ({ url: n.url, workerId: n.workerId }));
  }

  /** The next node in round-robin order that is not backing off; waits when all are. */
  async pick(): Promise<NodeState | null> {
    while (!this.halt.aborted) {
      const now = monotonicNow();
      for (let i = 0; i < this.list.length; i++) {
        const node = this.list[(this.next + i) % this.list.length]!;
        if (node.retryAt <= now) {
          this.next = (this.next + i + 1) % this.list.length;
          return node;
        }
      }
      const soonest = Math.min(...this.list.map((n) => n.retryAt));
      await sleep(Math.max(1, soonest - now), this.halt);
    }
    return null;
  }

  ensureRegistered(node: NodeState): Promise<void> {
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
  register(node: NodeState): Promise<void> {
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

  /**
   * Deregisters from `node`, first giving back the tasks it still lists as this worker's. The
   * worker's own tasks were reported by then: those are tasks a poll was answered with that the
   * worker never read (it stopped as the answer came), which the deregistration would fail with
   * `WORKER_LOST`, failing a step without `retry`.
   */
  async deregister(node: NodeState): Promise<void> {
    const id = node.workerId;
    if (!id) return;
    node.workerId = null;
    try {
      // A node that cannot be reached for the look-up is not waited on a second time.
      await this.releaseHeld(node, id);
      await this.request(node, 'DELETE', `/v1/remote-workers/${id}`, undefined, this.timeoutMs);
    } catch (error) {
      this.log.warn(
        { url: node.url, err: error },
        'could not deregister; the registration expires on its own',
      );
    }
  }

  /**
   * Gives back (`release`) the tasks `node` lists as leased to worker `id`.
   * @throws the network error of the look-up (one of a release is logged).
   */
  private async releaseHeld(node: NodeState, id: string): Promise<void> {
    const res = await this.request(node, 'GET', '/v1/remote-workers', undefined, this.timeoutMs);
    const held = res.status === 200 ? heldTaskIds(res.body, id) : [];
    for (const taskId of held) {
      try {
        const path = `/v1/remote-workers/${id}/tasks/${taskId}/release`;
        const res = await this.request(node, 'POST', path, undefined, this.timeoutMs);
        if (res.status === 204)
          this.log.info({ url: node.url, taskId }, 'gave back a task handed over as the worker stopped');
      } catch (error) {
        this.log.warn(
          { url: node.url, taskId, err: error },
          'could not give back a task; it fails with WORKER_LOST',
        );
      }
    }
  }

  /** Resolves when the registration requests under way have settled. */
  async registrationsSettled(): Promise<void> {
    await Promise.all(this.registrationsInFlight);
  }

  /** Closes the connections. */
  destroy(): void {
    this.http.destroy();
  }

  forget(node: NodeState, workerId: string): void {
    if (node.workerId === workerId) {
      node.workerId = null;
      this.log.warn(
        { url: node.url, workerId },
        'registration lost (the node restarted or expired it); registering again',
      );
    }
  }

  /** A poll of `workerId` was answered (200, 204): `node` knows that registration. */
  known(node: NodeState, workerId: string): void {
    node.knownId = workerId;
    node.strays = 0;
  }

  /**
   * A poll of `workerId` answered 404: `node` does not know the worker. When it knew this
   * registration (a poll of it was answered), it restarted or expired it: register again at once.
   * When it never did, the registration most likely went to another node than the poll — the URL
   * leads to several nodes (a round-robin load balancer), which the protocol does not support — and
   * registering again at once would spin, a registration and a 404 per round trip: back off first,
   * 0.5 s doubling to 30 s (with jitter) per such registration in a row, and say why.
   */
  unknownAtPoll(node: NodeState, workerId: string): void {
    // Another slot's 404 for the same registration already dealt with it.
    if (node.workerId !== workerId) return;
    if (node.knownId === workerId) {
      this.forget(node, workerId);
      return;
    }
    node.workerId = null;
    node.strays++;
    const delay = backoffMs(node.strays);
    node.retryAt = monotonicNow() + delay;
    this.log.warn(
      { url: node.url, workerId, times: node.strays, retryInMs: Math.round(delay) },
      'the node did not know the worker it had just registered: does this URL lead to several nodes (a round-robin load balancer)? A remote worker must talk to one node per URL; backing off before registering again',
    );
  }

  /**
   * Backs off from a node after a request sent at `sentAt` failed. A request sent before the last
   * counted failure failed in the same outage (every slot's poll is cut when a node restarts): it
   * is not counted again, so the back-off doubles per outage, not per slot.
   */
  backoff(node: NodeState, error: unknown, what: string, sentAt: number): void {
    if (this.halt.aborted) return;
    if (sentAt < node.failedAt) {
      this.log.debug({ url: node.url, err: error }, `${what} failed; already backing off`);
      return;
    }
    node.failures++;
    node.failedAt = monotonicNow();
    node.retryAt = monotonicNow() + backoffMs(node.failures);
    this.log.warn({ url: node.url, err: error, failures: node.failures }, `${what} failed; backing off`);
  }

  request(
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

/** The wait after the `n`th failure in a row: 0.5 s doubling to 30 s, the later half of it or more (jitter). */
function backoffMs(n: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (n - 1));
  return base * (0.5 + Math.random() / 2);
}

function positiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** An answer's JSON for a message: its first 200 characters and '…' when longer (a pair never split). */
function answerStart(body: unknown): string {
  const text = JSON.stringify(body) ?? String(body);
  const start = textPrefix(text, 200);
  return start.length < text.length ? `${start}…` : start;
}

/** The ids of the tasks, not cancelled, that a `GET /v1/remote-workers` answer lists as leased to worker `id`. */
function heldTaskIds(body: unknown, id: string): string[] {
  const workers = (body as { workers?: unknown } | undefined)?.workers;
  if (!Array.isArray(workers)) return [];
  const worker = workers.find((w) => (w as { id?: unknown } | null)?.id === id) as
    | { tasks?: unknown }
    | undefined;
  if (!Array.isArray(worker?.tasks)) return [];
  return worker.tasks
    .filter((t) => typeof t?.taskId === 'string' && t.cancelled !== true)
    .map((t) => encodeURIComponent(t.taskId as string));
}
