/**
 * LISTEN side of the store's wake-up hints: one dedicated `pg.Client` (not from the pool: a
 * pooled connection would be handed to other work) that LISTENs on the store's channel and calls
 * the subscribers when a notification for its schema arrives.
 *
 * Notifications are only hints: they arrive only at commit, a disconnected listener misses them
 * for good, and they do not pass transaction-pooling proxies. Correctness comes from polling. When
 * the connection drops, the listener reconnects with capped exponential backoff and jitter, and
 * after each reconnect calls every subscriber once, since it may have missed notifications.
 *
 * The connection only reads, so a network that drops it without a word (a NAT or firewall forgetting
 * an idle connection, a partition: no FIN, no reset) would go unnoticed until the system's TCP
 * keepalive gave up, minutes later, with every notification missed meanwhile. So the listener sends
 * a cheap query every probe interval: one still unanswered at the next (or failed) counts as a
 * lost connection, and the listener reconnects.
 *
 * The payload names the schema (nodes of other schemas ignore it) and the kind of notice:
 * `<schema>:placed:<node>` when executions were created and placed on that node (`placed`: only
 * that node needs to start them), `<schema>:released` when leases were released (`any`: a whole
 * housekeeping round, which claims them), `<schema>:cancel:<node>` when a cancel of an execution
 * that node holds was requested (it applies it at once). The bare schema name, which earlier versions sent for
 * both, reads as a placement on an unknown node. Earlier versions do not recognise the new notices
 * and fall back to polling for them.
 * @module
 */
import pg from 'pg';
import type { WorkHint } from '../store.js';
import { clientConfig, connectTimeout, destroyClient, endClient, ident } from './connection.js';

/** The payloads of the notices for `schema` (see the module comment). */
export function workPayloads(schema: string): {
  placed(owner: string): string;
  released: string;
  cancel(owner: string): string;
} {
  return {
    placed: (owner) => `${schema}:placed:${owner}`,
    released: `${schema}:released`,
    cancel: (owner) => `${schema}:cancel:${owner}`,
  };
}

/** The hint a notification's payload gives for `schema`, or null if it is not for `schema`. */
export function hintOf(payload: string, schema: string): WorkHint | null {
  if (payload === schema) return { kind: 'placed' };
  if (!payload.startsWith(`${schema}:`)) return null;
  const rest = payload.slice(schema.length + 1);
  if (rest === 'released') return { kind: 'any' };
  if (rest.startsWith('placed:')) return { kind: 'placed', owner: rest.slice('placed:'.length) };
  if (rest.startsWith('cancel:')) return { kind: 'cancel', owner: rest.slice('cancel:'.length) };
  return null;
}

/**
 * Turns off `idle_session_timeout` (PostgreSQL 14 and later; a DBA may set it for the server, a
 * role or a database) for the listener's session, which is idle by design: the server would end it
 * each time the limit passed, and each reconnect wakes every subscriber for a whole round. Reads
 * `pg_settings` so that it does nothing on servers without the setting.
 */
const KEEP_IDLE_SESSION =
  "SELECT set_config(name, '0', false) FROM pg_settings WHERE name = 'idle_session_timeout'";

/** How often the listener checks that its connection still answers (see the module comment). */
export const DEFAULT_PROBE_INTERVAL_MS = 15_000;

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/** A LISTEN connection that reconnects by itself. See the module comment. */
export class WorkListener {
  private client: pg.Client | null = null;
  /** The client being connected (and set listening), if any. */
  private opening: pg.Client | null = null;
  /** Clients being ended (see {@link disconnect}), whose goodbye {@link destroy} cuts short. */
  private readonly ending = new Set<pg.Client>();
  private readonly subscribers = new Set<(hint: WorkHint) => void>();
  private connecting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private probe: NodeJS.Timeout | null = null;
  private failures = 0;
  private closed = false;

  /**
   * @param url connection string.
   * @param channel channel to LISTEN on.
   * @param schema only notifications for this schema wake subscribers (see {@link workPayloads}).
   * @param applicationName `application_name` of the connection (seen in `pg_stat_activity`).
   * @param fromSelf whether a notification was sent by one of this process's own connections (by
   *   the backend pid PostgreSQL reports with it): those wake nobody here, since this node already
   *   knows what it wrote. A hint for OTHER nodes only.
   * @param queryTimeoutMs how long the LISTEN may wait for its answer (0: for ever). A server that
   *   went silent after the connection opened (a partition) fails it, and the listener retries,
   *   instead of leaving `subscribe` (so the orchestrator's start) and `close` pending. Opening the
   *   connection may take as long, at most 10 s (see `connectTimeout`).
   * @param probeIntervalMs how often to check that the connection still answers (0: never); a
   *   connection whose check is unanswered after another interval is dropped and reopened.
   */
  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly schema: string,
    private readonly applicationName: string,
    private readonly fromSelf: (backendPid: number) => boolean = () => false,
    private readonly queryTimeoutMs = 0,
    private readonly probeIntervalMs = DEFAULT_PROBE_INTERVAL_MS,
  ) {}

  /** Whether the connection is up and listening. */
  get listening(): boolean {
    return this.client !== null;
  }

  /**
   * Adds a subscriber; connects on the first one. Resolves once the first connection attempt
   * ended; if it failed, the listener keeps retrying in the background (polling still works).
   * Resolves with the function that removes the subscriber (and disconnects after the last one).
   */
  async subscribe(onNotify: (hint: WorkHint) => void): Promise<() => Promise<void>> {
    const subscriber = (hint: WorkHint) => onNotify(hint);
    this.subscribers.add(subscriber);
    if (!this.client && !this.retry) await this.connect();
    else if (this.connecting) await this.connecting;
    return async () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) await this.disconnect();
    };
  }

  /**
   * Disconnects for good, without waiting for a connection attempt under way (a reconnect to a
   * server cut off by a partition would take the connect timeout, then the query timeout for each
   * of its statements): it is cut short.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    if (this.opening) destroyClient(this.opening);
    await this.disconnect();
  }

  /**
   * Closes at once, without a goodbye: every connection of the listener (open, being opened or
   * being ended) is destroyed, and a `close` under way ends with it.
   */
  destroy(): void {
    this.closed = true;
    this.subscribers.clear();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.stopProbe();
    for (const client of [this.opening, this.client, ...this.ending]) if (client) destroyClient(client);
    this.client = null;
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      ...clientConfig(this.url, this.applicationName, connectTimeout(this.queryTimeoutMs)),
      ...(this.queryTimeoutMs > 0 ? { query_timeout: this.queryTimeoutMs } : {}),
    });
    const lost = () => this.lost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel !== this.channel || this.fromSelf(message.processId)) return;
      const hint = hintOf(message.payload ?? '', this.schema);
      if (hint) this.wake(hint);
    });
    this.opening = client;
    try {
      await client.connect();
      await client.query(KEEP_IDLE_SESSION);
      await client.query(`LISTEN ${ident(this.channel)}`);
    } catch {
      client.removeListener('end', lost);
      // Cut short by `close`: no goodbye to wait for.
      if (this.closed) destroyClient(client);
      else await endClient(client);
      this.scheduleRetry();
      return;
    } finally {
      this.opening = null;
    }
    if (this.closed || this.subscribers.size === 0) {
      client.removeListener('end', lost);
      this.failures = 0;
      await endClient(client);
      return;
    }
    const reconnected = this.failures > 0;
    this.failures = 0;
    this.client = client;
    this.startProbe(client);
    // Notifications sent while the listener was away are lost: wake everyone once.
    if (reconnected) this.wake({ kind: 'any' });
  }

  /** Checks every probe interval that `client` answers; see the module comment. */
  private startProbe(client: pg.Client): void {
    if (this.probeIntervalMs <= 0) return;
    let waiting = false;
    this.probe = setInterval(() => {
      if (waiting) return this.lost(client);
      waiting = true;
      client.query('SELECT 1').then(
        () => {
          waiting = false;
        },
        () => this.lost(client),
      );
    }, this.probeIntervalMs);
    this.probe.unref();
  }

  private stopProbe(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.stopProbe();
    client.removeAllListeners('end');
    void endClient(client);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.subscribers.size === 0 || this.retry) return;
    const cap = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.failures);
    this.failures++;
    // Full jitter, at least the minimum: listeners of many nodes do not reconnect in lockstep.
    const delay = MIN_BACKOFF_MS + Math.random() * (cap - MIN_BACKOFF_MS);
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, delay);
    this.retry.unref();
  }

  /**
   * Ends the connection, on `close` or once the last subscriber left. The latter does not wait for
   * a connection attempt under way (a reconnect to a server cut off by a partition takes the
   * connect timeout, then the query timeout for each of its statements): that attempt ends the
   * connection it opens when it finds no subscriber, or keeps it for one that came meanwhile; a
   * `close` cuts it short.
   */
  private async disconnect(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (!this.closed && this.connecting) return;
    await this.connecting;
    // A subscriber came while the connection was being opened: it keeps it (or the retry).
    if (!this.closed && this.subscribers.size > 0) return;
    const client = this.client;
    this.client = null;
    this.stopProbe();
    this.failures = 0;
    if (client) {
      client.removeAllListeners('end');
      this.ending.add(client);
      await endClient(client);
      this.ending.delete(client);
    }
  }

  private wake(hint: WorkHint): void {
    for (const subscriber of this.subscribers) {
      try {
        subscriber(hint);
      } catch {
        // A subscriber's failure must not stop the others or the listener.
      }
    }
  }
}
