/**
 * Connection plumbing of the PostgreSQL store: type parsers, pool and client settings, schema
 * names, and how driver errors become `OrchestratorError`s (without leaking passwords).
 * @module
 */
import pg from 'pg';
import { describeValue } from '../../describe-value.js';
import { OrchestratorError, ValidationError } from '../../errors.js';
import { connectProblem } from './connect-problem.js';
import { shownUrl, urlWithSchema } from './url-options.js';

/** The schema a store uses unless told otherwise. */
export const DEFAULT_SCHEMA = 'orchestrator';

/** Connections in the pool unless told otherwise. */
export const DEFAULT_POOL_SIZE = 10;

/**
 * How long opening a connection may take before it fails, at most (a shorter `queryTimeoutMs`
 * shortens it: see {@link connectTimeout}); also how long a query waits for a connection of a full pool.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * How long opening a connection may take with `queryTimeoutMs` (0: none): that long when shorter
 * than {@link CONNECT_TIMEOUT_MS}, so a server cut off by a partition fails a call that needs a new
 * connection as soon as one on an open connection, not after 10 s.
 */
export function connectTimeout(queryTimeoutMs: number): number {
  return queryTimeoutMs > 0 ? Math.min(CONNECT_TIMEOUT_MS, queryTimeoutMs) : CONNECT_TIMEOUT_MS;
}

const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string) => Number(value);

/**
 * Type parsers of every connection the store opens: `int8` (`bigint`, `count(*)`) and `numeric`
 * (`sum(...)`) come back as numbers, as in the other adapters, instead of strings. Store values
 * (epoch-millisecond times, counters) stay far below 2^53. Per connection, not global, so other
 * users of `pg` in the process are unaffected.
 */
export const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (oid === INT8 || oid === NUMERIC) && format !== 'binary'
      ? toNumber
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Checks a schema name (a plain identifier of at most 63 characters, not one of PostgreSQL's own:
 * `pg_…` names cannot be created, and a store in `information_schema` would be left out of every
 * `pg_dump`) and returns it.
 */
export function checkSchema(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA.test(schema)) {
    throw new ValidationError(
      [
        {
          path: 'schema',
          message: `Expected a PostgreSQL schema name (letters, digits, _; at most 63), got ${describeValue(schema)}`,
        },
      ],
      'Invalid PostgresStore options',
    );
  }
  if (schema.startsWith('pg_') || schema === 'information_schema') {
    throw new ValidationError(
      [
        {
          path: 'schema',
          message: `Expected a schema of the store's own, got ${describeValue(schema)}: PostgreSQL keeps pg_… names and information_schema for itself (pg_dump leaves them out of backups)`,
        },
      ],
      'Invalid PostgresStore options',
    );
  }
  return schema;
}

/** The most connections a pool may have: 2^31-1, as the store's other whole-number options. */
const MAX_POOL_SIZE = 2_147_483_647;

/** Checks a pool size (a positive integer, at most {@link MAX_POOL_SIZE}) and returns it. */
export function checkPoolSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_POOL_SIZE) {
    throw new ValidationError(
      [
        {
          path: 'poolSize',
          message: `Expected a positive integer, at most ${MAX_POOL_SIZE}, got ${describeValue(size)}`,
        },
      ],
      'Invalid PostgresStore options',
    );
  }
  return size;
}

/** `name` as a quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Settings of the client connections (pool and listener) for `url`; `connectTimeoutMs` bounds
 * opening one (see {@link connectTimeout}).
 */
export function clientConfig(
  url: string,
  applicationName: string,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
): pg.ClientConfig {
  return {
    connectionString: url,
    types: TYPES,
    application_name: applicationName.slice(0, 63),
    connectionTimeoutMillis: connectTimeoutMs,
    // TCP keepalive: a peer that vanished (no FIN, e.g. a partition) is noticed instead of hanging
    // (probing after 10 s of silence, not the system's default of two hours). Pool queries also
    // have a deadline of their own (see `createPool`).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * How long a pool connection may sit idle inside a transaction before the server ends its session
 * (PostgreSQL's `idle_in_transaction_session_timeout`), unless told otherwise. The store's
 * transactions never wait on the application between statements, so only a stalled process (a
 * SIGSTOP, a frozen VM, a blocked event loop caught mid-flush) trips it; ending its session
 * releases the row locks it holds, which other nodes' claims (`SKIP LOCKED`) would skip forever.
 */
export const DEFAULT_IDLE_IN_TRANSACTION_MS = 10_000;

/** How long a pool query may wait for its answer unless told otherwise (see `queryTimeoutMs`). */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/**
 * `Client` sending every named statement unnamed: parsed and planned on each run, on whichever
 * server connection a pooler in transaction mode picks (see the store's `preparedStatements`).
 */
function unnamedStatements(Client: typeof pg.Client): typeof pg.Client {
  return class extends Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; this only drops a name.
    override query(...args: any[]): any {
      const config = args[0];
      if (typeof config === 'object' && config?.name) args[0] = { ...config, name: undefined };
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
  };
}

/**
 * The pool of a store. Its clients pipeline: a flush sends BEGIN, its statements and COMMIT
 * without waiting for each reply.
 */
export function createPool(
  url: string,
  size: number,
  schema: string,
  backends?: Set<number>,
  queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS,
  preparedStatements = true,
): pg.Pool {
  const clients = new Set<pg.Client>();
  const connectMs = connectTimeout(queryTimeoutMs);
  // Every connection the pool makes is kept from its start (pg-pool's own list is private), until
  // it ends: `destroyPool` destroys the ones still connecting too, `endPool` waits for each.
  const Tracked = class extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectMs });
      clients.add(this);
      this.once('end', () => clients.delete(this));
    }
  };
  const pool = new pg.Pool({
    // The pool's `connectionTimeoutMillis` bounds the wait for a connection of a full pool too:
    // that stays 10 s, each connection's own connect gets the (shorter) connect timeout.
    ...clientConfig(url, `orchestrator:${schema}`),
    Client: preparedStatements ? Tracked : unnamedStatements(Tracked),
    max: size,
    pipeline: true,
    // A query past it fails, and with pipelining its connection is destroyed (pg does that itself).
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
  });
  // An idle client whose connection dies (server restart, pg_terminate_backend) emits 'error' on
  // the pool; without a listener that would crash the process. The pool drops the client itself.
  pool.on('error', () => undefined);
  // A checked-out client whose connection dies emits 'error' on itself besides failing its
  // queries (which is how the store learns of it), and pg-pool listens only while it is idle:
  // every client keeps a listener of its own, from the moment it is connected (a termination can
  // arrive together with the connection's first reply, before the caller's code runs).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  poolClients.set(pool, clients);
  poolConnectTimeouts.set(pool, connectMs);
  // Its messages name the schema too (see `urlWithSchema`).
  poolUrls.set(pool, urlWithSchema(url, schema, DEFAULT_SCHEMA));
  if (backends) {
    // The server-side pids of the pool's connections, to recognise this process's own NOTIFYs.
    const pidOf = (client: pg.PoolClient) => (client as unknown as { processID?: number }).processID;
    pool.on('connect', (client) => {
      const pid = pidOf(client);
      if (pid !== undefined) backends.add(pid);
    });
    pool.on('remove', (client) => {
      const pid = pidOf(client);
      if (pid !== undefined) backends.delete(pid);
    });
  }
  return pool;
}

/** The connections of each pool made by `createPool`, open or still connecting. */
const poolClients = new WeakMap<pg.Pool, Set<pg.Client>>();

/** The connect timeout of each pool made by `createPool`, in milliseconds. */
const poolConnectTimeouts = new WeakMap<pg.Pool, number>();

/** The store URL of each pool made by `createPool`, for its connection errors. */
const poolUrls = new WeakMap<pg.Pool, string>();

/**
 * Whether `error` is about reaching the server rather than a statement: a lost connection (see
 * {@link isConnectionError}), or a new one the server refused — SQLSTATE class 28 (authorization)
 * or 3D (no such database, e.g. dropped since the store opened).
 */
function aboutTheServer(error: unknown): boolean {
  if (error instanceof OrchestratorError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return isConnectionError(error) || (typeof code === 'string' && /^(28|3D)/.test(code));
}

/**
 * Ends `pool` (made by `createPool`) and its connections, each within the time `endClient`
 * allows: `pool.end()` asks each connection to end but does not wait, and a connection to a server
 * cut off by a partition would stay open (keeping the process alive) until the system's TCP timeout.
 */
export async function endPool(pool: pg.Pool): Promise<void> {
  const clients = [...(poolClients.get(pool) ?? [])];
  // Not twice (pg refuses that): a pool `destroyPool` ended has its connections destroyed already.
  if (!pool.ending) await pool.end();
  await Promise.all(clients.map((client) => endClient(client)));
}

/**
 * Ends `pool` (made by `createPool`) without waiting for its server: every connection of it, open
 * or still connecting, is destroyed at once, so the queries and connects under way fail now.
 */
export function destroyPool(pool: pg.Pool): void {
  const clients = [...(poolClients.get(pool) ?? [])];
  pool.end().catch(() => undefined);
  for (const client of clients) destroyClient(client);
}

/** Destroys `client`'s socket at once, without the goodbye. */
export function destroyClient(client: pg.Client | pg.PoolClient): void {
  (client as unknown as WithStream).connection?.stream?.destroy?.();
}

/** How long ending a connection may wait for the server's side of the goodbye. */
const END_TIMEOUT_MS = 2_000;

/** The socket of a `pg` client (not part of its typed API). */
interface WithStream {
  connection?: { stream?: { destroy?(): void } };
}

/**
 * Ends `client`'s connection, waiting at most `ms` for the server to close its side: a server cut
 * off by a partition never does (the goodbye gets no answer, and `client.end()` would wait for the
 * system's TCP timeout, a quarter of an hour), so the socket is then destroyed.
 */
export async function endClient(client: pg.Client | pg.PoolClient, ms = END_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  const ended = client.end().then(
    () => false,
    () => false,
  );
  try {
    if (await Promise.race([ended, late])) destroyClient(client);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `text` with `values` as a query that fails when its answer takes longer than `ms` (0: no
 * deadline), on a client without a deadline of its own: a server cut off by a partition after the
 * connection opened never answers.
 */
export function bounded(text: string, ms: number, values?: unknown[]): pg.QueryConfig {
  return { text, ...(values ? { values } : {}), ...(ms > 0 ? { query_timeout: ms } : {}) };
}

/** Whether the connection is gone after `error` (connection exception, shutdown, socket error). */
export function isConnectionError(error: unknown): boolean {
  // Anything but a server-reported error (a socket error, "Connection terminated") is one too.
  if (!(error instanceof pg.DatabaseError)) return true;
  const code = error.code ?? '';
  return code.startsWith('08') || code.startsWith('57P');
}

/** Deadlocks and serialization failures: the transaction may simply be run again. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * An `OrchestratorError` for a driver or server error (kept as `cause`). Errors that already are
 * `OrchestratorError`s pass through.
 */
export function storeError(error: unknown, context = 'PostgreSQL store'): OrchestratorError {
  if (error instanceof OrchestratorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof pg.DatabaseError ? error.code : undefined;
  const suffix = code ? ` (SQLSTATE ${code}${POOLED_STATEMENT_CODES.includes(code) ? POOLER_HINT : ''})` : '';
  return new OrchestratorError('STORE_UNAVAILABLE', `${context}: ${message}${suffix}`, { cause: error });
}

/**
 * The SQLSTATEs of a named statement the server connection does not have (26000), or has already
 * (42P05): behind a pooler in transaction mode, the client prepared it on another server
 * connection, or another client prepared it on this one.
 */
const POOLED_STATEMENT_CODES = ['26000', '42P05'];

/** What to do about {@link POOLED_STATEMENT_CODES}. */
const POOLER_HINT =
  '; behind a connection pooler in transaction mode, such as PgBouncer, open the store with ?preparedStatements=false';

/** pg-pool's error for a wait on a full pool that outlasted the connect timeout (no connect was tried). */
const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

/** pg's error for a query whose answer outlasted its `query_timeout` (the store's `queryTimeoutMs`). */
const QUERY_TIMEOUT = 'Query read timeout';

/**
 * What happened, for pg's error of a query that outlasted its `queryTimeoutMs` of `ms` (pg's own
 * words, 'Query read timeout', say neither how long it waited nor what to look at); null for any
 * other error.
 */
export function queryTimeoutProblem(error: unknown, ms: unknown): string | null {
  if (!(error instanceof Error) || error.message !== QUERY_TIMEOUT) return null;
  const waited = typeof ms === 'number' ? `${ms} ms (queryTimeoutMs)` : 'its queryTimeoutMs';
  return `a query got no answer from the server within ${waited}: the server is overloaded, a lock held by another session kept the query waiting, or the network is cut`;
}

/** pg's error for a connect that outlasted the client's connect timeout. */
const CONNECT_TIMEOUT = 'timeout expired';

/**
 * {@link storeError} for an error of taking a connection from `pool` (or of a query on it): pg-pool's
 * 'timeout exceeded when trying to connect', which reads as if the server could not be reached,
 * is said as what it is: every connection of the pool stayed in use for the whole wait.
 */
export function poolError(pool: pg.Pool, error: unknown): OrchestratorError {
  const url = poolUrls.get(pool);
  // A connection error names the store, as the first connect's does: which server, which database.
  const context = url === undefined ? 'PostgreSQL store' : `PostgreSQL store at ${shownUrl(url)}`;
  if (error instanceof Error && error.message === CONNECT_TIMEOUT) {
    const ms = poolConnectTimeouts.get(pool) ?? CONNECT_TIMEOUT_MS;
    return new OrchestratorError(
      'STORE_UNAVAILABLE',
      `${context}: a new connection got no answer from the server within ${ms} ms (the connect timeout: queryTimeoutMs, at most 10 s)`,
      { cause: error },
    );
  }
  const timedOut = queryTimeoutProblem(error, (pool.options as { query_timeout?: unknown }).query_timeout);
  if (timedOut !== null)
    return new OrchestratorError('STORE_UNAVAILABLE', `${context}: ${timedOut}`, { cause: error });
  if (error instanceof Error && error.message === POOL_WAIT_TIMEOUT) {
    return new OrchestratorError(
      'STORE_UNAVAILABLE',
      `PostgreSQL store: no connection of its pool came free within ${CONNECT_TIMEOUT_MS / 1000} s: all of them (poolSize ${pool.options.max}) stayed in use (slow queries, or a poolSize too small for the load)`,
      { cause: error },
    );
  }
  if (url === undefined || !aboutTheServer(error)) return storeError(error);
  const problem = connectProblem(error, url);
  if (problem === null) return storeError(error, context);
  return new OrchestratorError('STORE_UNAVAILABLE', `${context}: ${problem}`, { cause: error });
}

/**
 * Connects `client` (a plain client on `url`); on failure ends it and throws `STORE_UNAVAILABLE`
 * naming the store (password redacted, a long URL cut). Errors the client emits later are left to
 * its queries.
 */
export async function connectClient(client: pg.Client, url: string, schema = DEFAULT_SCHEMA): Promise<void> {
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // Not awaited: after a connect that failed at once (a bad port) the driver never settles it.
    client.end().catch(() => undefined);
    const context = `Cannot open PostgreSQL store at ${shownUrl(urlWithSchema(url, schema, DEFAULT_SCHEMA))}`;
    const problem = connectProblem(error, url);
    if (problem === null) throw storeError(error, context);
    throw new OrchestratorError('STORE_UNAVAILABLE', `${context}: ${problem}`, { cause: error });
  }
}
