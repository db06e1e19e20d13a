/**
 * Options of the PostgreSQL store and their checks.
 * @module
 */
import { MAX_TIMER_MS } from '../../clock.js';
import { describeValue } from '../../describe-value.js';
import { type Issue, ValidationError } from '../../errors.js';
import { optionsIssues } from '../../unknown-keys.js';
import {
  checkPoolSize,
  checkSchema,
  DEFAULT_IDLE_IN_TRANSACTION_MS,
  DEFAULT_POOL_SIZE,
  DEFAULT_QUERY_TIMEOUT_MS,
  DEFAULT_SCHEMA,
} from './connection.js';
import { DEFAULT_MIGRATION_LOCK_TIMEOUT_MS } from './migration-lock.js';

/** Write lanes unless told otherwise (capped at the pool size minus one). */
export const DEFAULT_WRITE_LANES = 1;

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * Schema that holds the store's tables; created if missing. Stores on different schemas of one
   * database are independent (tests use a fresh schema each).
   * @default 'orchestrator'
   */
  schema?: string | undefined;
  /**
   * Connections in the pool: each write lane keeps one, the others serve reads (with a pool of
   * one, the lane gives it back after each batch, and reads and writes take turns on it). At most
   * 2147483647 (2^31-1).
   * @default 10
   */
  poolSize?: number | undefined;
  /**
   * Group-commit lanes that flush concurrently, each its own transaction on its own connection
   * (from 1 to `poolSize - 1`, so reads always find a connection; 1 with a pool of one). The
   * writes of one execution always share a lane (see `write-lanes.ts`). More lanes overlap the
   * database's work with the process's and keep a slow commit from holding up every write; fewer
   * lanes make bigger batches, which cost the database less per write (see docs/performance.md).
   * @default 1
   */
  writeLanes?: number | undefined;
  /**
   * Milliseconds a connection may stay idle inside a transaction before the server ends it, so a
   * stalled node cannot hold row locks that keep other nodes from taking its executions over,
   * nor make the owners of rows it locked lose them: their renewals skip locked rows, so keep it
   * under a third of `leaseSeconds` (0 turns it off). At most 2147483647 (2^31-1, PostgreSQL's
   * limit). A store opened from the config's URL uses a third of the lease when that is shorter.
   * @default 10000
   */
  idleInTransactionTimeoutMs?: number | undefined;
  /**
   * Milliseconds a query of the store's pool may wait for its answer. Past it the query fails
   * (`STORE_UNAVAILABLE`) and its connection is discarded: a server that went silent (a network
   * partition sends no reset) fails writes instead of leaving them pending for hours. A write
   * that timed out may still have committed; the engine then resumes the execution from what is
   * stored. The notification listener's LISTEN has the same deadline. Opening a connection (the
   * pool's, the listener's) may take as long, at most 10 s (the connect timeout without it), so a
   * call that needs a new connection fails as soon. The startup migration's own statements (its
   * transaction, reading what is applied) have the same deadline, so `init()` against a server
   * that went silent fails; the migrations themselves are not limited (0 turns it off: then a
   * write blocked on a row lock another session holds waits as long as the lock is held, and so
   * does `Orchestrator.close`, which waits on a server that answers). At most 2147483647 (2^31-1,
   * the longest timer Node runs).
   * @default 30000
   */
  queryTimeoutMs?: number;
  /**
   * Milliseconds `init()` waits for the schema's migration lock while another session holds it
   * (another node migrating the schema, or a migration stuck in some session). Past it the start
   * fails with a `MigrationLockHeldError` (code `STORE_UNAVAILABLE`) naming the holder's backend
   * pid, instead of waiting forever. The migrations themselves are not limited. 0 waits without a
   * deadline; at most 2147483647 (2^31-1, PostgreSQL's limit). A store opened from a URL
   * (`openStore`, the config's `store`) takes it as `?migrationLockTimeoutMs=`.
   * @default 60000
   */
  migrationLockTimeoutMs?: number;
  /**
   * Whether the store's statements are prepared once per connection (named statements) and run
   * on PostgreSQL's cached plans. Set it to false behind a connection pooler in transaction mode
   * that does not carry prepared statements between its server connections (PgBouncer before
   * 1.21, or later without `max_prepared_statements`): there a statement prepared on one server
   * connection is missing on the next ("prepared statement … does not exist"). Then each
   * statement is parsed and planned on every run (more of the server's CPU per write). A store
   * opened from a URL takes it as `?preparedStatements=false`.
   * @default true
   */
  preparedStatements?: boolean;
}

const OPTION_KEYS: readonly (keyof PostgresStoreOptions)[] = [
  'schema',
  'poolSize',
  'writeLanes',
  'idleInTransactionTimeoutMs',
  'queryTimeoutMs',
  'migrationLockTimeoutMs',
  'preparedStatements',
];

/** Options with their defaults applied, checked. */
export type ResolvedOptions = Required<PostgresStoreOptions>;

/**
 * Applies the defaults and checks every option.
 * @throws ValidationError for options that are no object or have an unknown key (a misspelt
 *   option is refused by name, not ignored), a bad schema name, pool size, lane count or timeout.
 */
export function resolveOptions(options: PostgresStoreOptions): ResolvedOptions {
  const shape = optionsIssues(options, OPTION_KEYS, {
    path: 'options',
    expected: 'an object of PostgresStore options',
  });
  if (shape.length > 0) throw new ValidationError(shape, 'Invalid PostgresStore options');
  // Every option is checked, so one error lists every problem.
  const issues: Issue[] = [];
  const schema = collect(issues, () => checkSchema(options.schema ?? DEFAULT_SCHEMA));
  const poolSize = collect(issues, () => checkPoolSize(options.poolSize ?? DEFAULT_POOL_SIZE));
  // The lanes' bound comes from the pool size: without a valid one there is nothing to say.
  const writeLanes =
    poolSize === undefined ? undefined : collect(issues, () => checkWriteLanes(options.writeLanes, poolSize));
  const idle = collect(issues, () =>
    checkMilliseconds(
      'idleInTransactionTimeoutMs',
      options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_MS,
    ),
  );
  const queryTimeoutMs = collect(issues, () =>
    checkMilliseconds('queryTimeoutMs', options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS),
  );
  const migrationLockTimeoutMs = collect(issues, () =>
    checkMilliseconds(
      'migrationLockTimeoutMs',
      options.migrationLockTimeoutMs ?? DEFAULT_MIGRATION_LOCK_TIMEOUT_MS,
    ),
  );
  const preparedStatements = collect(issues, () =>
    checkBoolean('preparedStatements', options.preparedStatements ?? true),
  );
  if (
    issues.length > 0 ||
    schema === undefined ||
    poolSize === undefined ||
    writeLanes === undefined ||
    idle === undefined ||
    queryTimeoutMs === undefined ||
    migrationLockTimeoutMs === undefined ||
    preparedStatements === undefined
  ) {
    throw new ValidationError(issues, 'Invalid PostgresStore options');
  }
  return {
    schema,
    poolSize,
    writeLanes,
    idleInTransactionTimeoutMs: idle,
    queryTimeoutMs,
    migrationLockTimeoutMs,
    preparedStatements,
  };
}

/** A true-or-false option. */
function checkBoolean(key: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new ValidationError(
    [{ path: key, message: `Expected true or false, got ${describeValue(value)}` }],
    'Invalid PostgresStore options',
  );
}

/** What `check` returns, or undefined with its ValidationError's issues added to `issues`. */
function collect<T>(issues: Issue[], check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

/**
 * A millisecond option: an integer from 0 (off) to 2^31-1. Past it Node runs pg's `query_timeout`
 * timer after 1 ms (every query failed) and PostgreSQL refuses the
 * `idle_in_transaction_session_timeout` (every connection failed).
 */
function checkMilliseconds(key: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new ValidationError(
      [
        {
          path: key,
          message: `Expected a non-negative integer of milliseconds, at most ${MAX_TIMER_MS} (0: off), got ${describeValue(value)}`,
        },
      ],
      'Invalid PostgresStore options',
    );
  }
  return value;
}

/**
 * The number of write lanes: `lanes` (an integer from 1 to `poolSize - 1`, or 1 with a pool of
 * one), or by default {@link DEFAULT_WRITE_LANES} capped the same way.
 */
export function checkWriteLanes(lanes: number | undefined, poolSize: number): number {
  const max = Math.max(1, poolSize - 1);
  if (lanes === undefined) return Math.min(DEFAULT_WRITE_LANES, max);
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > max) {
    throw new ValidationError(
      [
        {
          path: 'writeLanes',
          message: `Expected an integer from 1 to ${max} (the pool size minus one, so reads keep a connection), got ${describeValue(lanes)}`,
        },
      ],
      'Invalid PostgresStore options',
    );
  }
  return lanes;
}
