/**
 * The PostgreSQL migration lock: a transaction-scoped advisory lock per schema, taken before the
 * pending migrations run. Another node migrating the same schema holds it for as long as its
 * migration takes; a session that never lets go (a migration stuck in a psql session, a node
 * frozen mid-migration) would keep every starting node waiting forever, so the wait is bounded
 * (`migrationLockTimeoutMs`) and its end names the session holding the lock.
 * @module
 */
import type pg from 'pg';
import { OrchestratorError } from '../../errors.js';
import { bounded } from './connection.js';

/** First key of the advisory lock (`orch`); the second is a hash of the schema name. */
export const LOCK_CLASS = 0x6f726368;

/** How long a node waits for another session's migration lock unless told otherwise. */
export const DEFAULT_MIGRATION_LOCK_TIMEOUT_MS = 60_000;

/** PostgreSQL's SQLSTATE for a lock wait ended by `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The migration lock of a PostgreSQL schema stayed held by another session for the whole wait
 * (`migrationLockTimeoutMs`), so this store did not start (code `STORE_UNAVAILABLE`). Nothing was
 * migrated or created; a later start migrates once the lock is free.
 */
export class MigrationLockHeldError extends OrchestratorError {
  /** The schema whose migration lock is held. */
  readonly schema: string;
  /** How long this store waited for it, in milliseconds. */
  readonly waitedMs: number;
  /** The backend pid of the session holding it (as `pg_locks` showed it), or null if unknown. */
  readonly holderPid: number | null;
  constructor(schema: string, waitedMs: number, holderPid: number | null, options: { cause?: unknown } = {}) {
    const holder =
      holderPid === null
        ? 'another session (its pid could not be read from pg_locks)'
        : `another session (backend pid ${holderPid})`;
    const lookUp = holderPid === null ? 'pg_locks' : `pg_stat_activity (pid ${holderPid})`;
    super(
      'STORE_UNAVAILABLE',
      `The migration lock of PostgreSQL schema '${schema}' is held by ${holder} and was not released ` +
        `within ${waitedMs} ms (migrationLockTimeoutMs): another node may be migrating this schema, ` +
        `or a migration is stuck. Look the session up in ${lookUp}, or raise migrationLockTimeoutMs.`,
      options,
    );
    this.schema = schema;
    this.waitedMs = waitedMs;
    this.holderPid = holderPid;
  }
}

/**
 * Runs `body` in a transaction holding the schema's migration lock, waiting for it at most
 * `waitMs` (0: without a deadline). Neither the migrations nor the wait within it are limited by a
 * `lock_timeout` or `statement_timeout` set for the role or database, which would fail the nodes
 * that start together while one of them migrates. Its own statements wait at most `queryTimeoutMs`
 * for their answer (0: no deadline; the lock, `waitMs` more), `body`'s are not limited.
 * @throws MigrationLockHeldError when another session held the lock for the whole wait.
 */
export async function withMigrationLock<T>(
  client: pg.ClientBase,
  schema: string,
  waitMs: number,
  body: () => Promise<T>,
  queryTimeoutMs = 0,
): Promise<T> {
  const ms = queryTimeoutMs;
  // READ COMMITTED whatever default_transaction_isolation the server sets: each statement after
  // the wait for the lock must see what the node that held it committed. Under REPEATABLE READ or
  // SERIALIZABLE the snapshot is taken before the wait, and a node starting together with another
  // would not see the schema or migrations it created, and fail creating them again.
  await client.query(bounded('BEGIN ISOLATION LEVEL READ COMMITTED', ms));
  let waited = false;
  try {
    await client.query(bounded(`SET LOCAL lock_timeout = ${waitMs}; SET LOCAL statement_timeout = 0`, ms));
    const lockMs = waitMs > 0 && ms > 0 ? waitMs + ms : 0;
    await client.query(
      bounded('SELECT pg_advisory_xact_lock($1, hashtext($2))', lockMs, [LOCK_CLASS, schema]),
    );
    waited = true;
    // The wait is bounded, the migrations' own lock waits are not.
    await client.query(bounded('SET LOCAL lock_timeout = 0', ms));
    const result = await body();
    await client.query(bounded('COMMIT', ms));
    return result;
  } catch (error) {
    await client.query(bounded('ROLLBACK', ms)).catch(() => undefined);
    if (!waited && (error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) {
      throw new MigrationLockHeldError(schema, waitMs, await lockHolder(client, schema, ms), {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * The backend pid of the session holding `schema`'s migration lock in this database, or null when
 * none does any more (it let go meanwhile) or `pg_locks` cannot be read.
 */
async function lockHolder(client: pg.ClientBase, schema: string, ms: number): Promise<number | null> {
  try {
    const rows = await client.query<{ pid: number }>(
      bounded(
        `SELECT pid FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = $1::int4::oid AND objid = hashtext($2)::oid
        LIMIT 1`,
        ms,
        [LOCK_CLASS, schema],
      ),
    );
    return rows.rows[0]?.pid ?? null;
  } catch {
    return null;
  }
}
