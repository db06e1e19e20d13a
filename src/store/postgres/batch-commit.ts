/**
 * How the PostgreSQL store commits one group-commit batch: ONE transaction on one pooled client,
 * with one outcome per operation.
 *
 * Fast path: `BEGIN`, the batch's statements (see `plan.ts`), an optional `pg_notify`, and
 * `COMMIT` are pipelined, i.e. written at once and answered in order, so a flush costs about one
 * round trip plus the commit. Operations refuse (lease lost, unknown execution, duplicate id)
 * through their statement's result, not by failing it, so a refusal leaves the others to commit.
 *
 * A statement that fails aborts the transaction (`COMMIT` then answers `ROLLBACK`): after a
 * deadlock or serialization failure the batch runs again (up to three times), after anything else
 * it runs once more with each operation alone under its own savepoint, so the failing one is
 * rejected alone. If the connection breaks, every operation fails: whether the commit happened is
 * unknown.
 * @module
 */
import pg from 'pg';
import { echo } from '../../echo.js';
import { ConflictError } from '../../errors.js';
import { failed, type Outcome, succeeded } from '../group-commit.js';
import type { CreateResult } from '../store.js';
import { isConnectionError, isTransient, poolError, storeError } from './connection.js';
import { type KeyLookup, type Op, type Statement, workNotice } from './operations.js';
import { locksRows, planStatements, rowLocks, singleStatements } from './plan.js';
import type { PlanMode } from './plan-mode.js';
import type { Sql } from './statements.js';

const TRANSIENT_RETRIES = 3;

/** The NOTIFYs to send inside the transaction: one per payload. */
export interface Notify {
  channel: string;
  payloads: string[];
}

/** The store's wake-up channel and its notices' payloads (see `workPayloads`). */
export interface NotifyChannel {
  channel: string;
  placed(owner: string): string;
  released: string;
}

/** What a store's flushes share: its statements, how they are planned, its wake-up channel. */
export interface CommitContext {
  sql: Sql;
  plans: PlanMode;
  notify: NotifyChannel;
}

/** The NOTIFY a batch sends, if any. */
function noticeOf(batch: readonly Op[], { channel, placed, released }: NotifyChannel): Notify | null {
  const notice = workNotice(batch);
  if (notice === null) return null;
  return { channel, payloads: notice.kind === 'placed' ? notice.owners.map(placed) : [released] };
}

/** Thrown by the fast path when the transaction rolled back; `cause` is the first error. */
class RolledBack extends Error {}

/** The connection a write lane keeps between its batches (none before the first, or after a failure). */
export interface LaneConnection {
  client: pg.PoolClient | null;
  /**
   * Whether the lane keeps its connection between batches: not when the lanes would hold every
   * connection of the pool (a pool of one), which the reads need too.
   */
  keep: boolean;
}

/**
 * Commits `batch` in ONE transaction on the lane's connection (see {@link commitBatch}), taken from
 * `pool` the first time and kept (no pool checkout per batch; the pool's other connections serve
 * reads), or given back after each batch when the lane does not `keep` it. A connection that ended
 * while idle, or whose batch failed as a whole (typically: it broke), goes back to the pool to be
 * discarded and is replaced at the next batch.
 */
export async function commitOnLane(
  pool: pg.Pool,
  lane: LaneConnection,
  context: CommitContext,
  batch: readonly Op[],
): Promise<Outcome[]> {
  let client = lane.client;
  if (!client) {
    try {
      client = await pool.connect();
    } catch (error) {
      throw poolError(pool, error);
    }
    const own = client;
    lane.client = own;
    // The connection ended between two batches (an admin's pg_terminate_backend, the server's
    // idle_session_timeout): pg-pool does not notice that of a client it lent out, and would count
    // it against its size for good, so after `poolSize` such ends every query would wait for a
    // connection that never comes (and closing the pool would wait for ever).
    if (lane.keep) own.once('end', () => drop(lane, own, new Error('the connection ended')));
  }
  try {
    const outcomes = await commitBatch(client, context, batch);
    if (!lane.keep) {
      lane.client = null;
      client.release();
    }
    return outcomes;
  } catch (error) {
    // Named as the pool's reads name theirs: the store's URL for a lost connection or a timeout.
    const broken = poolError(pool, error);
    drop(lane, client, broken);
    throw broken;
  }
}

/** Takes `client` off the lane and gives it back to the pool to be discarded (once). */
function drop(lane: LaneConnection, client: pg.PoolClient, error: Error): void {
  if (lane.client !== client) return;
  lane.client = null;
  client.release(error);
}

/** Gives the lanes' connections back to the pool (when the store closes). */
export function releaseLanes(lanes: LaneConnection[]): void {
  for (const lane of lanes) {
    lane.client?.release();
    lane.client = null;
  }
}

/**
 * Commits `batch` on `client` in one transaction and returns one outcome per operation. The
 * context's NOTIFY is sent within the transaction when the batch wakes workers. Throws if nothing
 * can be known to have committed (connection lost, `COMMIT` failed).
 */
export async function commitBatch(
  client: pg.PoolClient,
  context: CommitContext,
  batch: readonly Op[],
): Promise<Outcome[]> {
  const notify = noticeOf(batch, context.notify);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fastPath(client, context, batch, notify);
    } catch (error) {
      if (!(error instanceof RolledBack)) throw error;
      if (isConnectionError(error.cause)) throw error.cause;
      if (isTransient(error.cause) && attempt < TRANSIENT_RETRIES) continue;
      return isolatedPath(client, context, batch, notify);
    }
  }
}

/** The socket of a `pg` client (not part of its typed API; absent in other environments). */
interface Corkable {
  connection?: { stream?: { cork?(): void; uncork?(): void } };
}

/**
 * Runs `send` (which issues pipelined queries) with the client's socket corked, so the messages of
 * all its queries leave in one write: one system call and one wake-up of the server process per
 * flush, instead of one per query (`pg` corks each query on its own).
 */
function corked<T>(client: pg.PoolClient, send: () => T): T {
  const stream = (client as unknown as Corkable).connection?.stream;
  stream?.cork?.();
  try {
    return send();
  } finally {
    stream?.uncork?.();
  }
}

/** Whether `batch` holds only creates and updates of executions (see `PlanMode.begin`). */
function rowWritesOnly(batch: readonly Op[]): boolean {
  for (const op of batch) if (op.kind !== 'create' && op.kind !== 'update') return false;
  return true;
}

function notifyQuery(notify: Notify): pg.QueryConfig {
  return {
    name: 'orchestrator_notify',
    text: 'SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload',
    values: [notify.channel, notify.payloads],
  };
}

async function fastPath(
  client: pg.PoolClient,
  { sql, plans }: CommitContext,
  batch: readonly Op[],
  notify: Notify | null,
): Promise<Outcome[]> {
  const statements = planStatements(batch, sql);
  const queries: pg.QueryConfig[] = [
    { text: plans.begin(rowWritesOnly(batch)) },
    ...statements.map((s) => s.query),
    ...(notify ? [notifyQuery(notify)] : []),
    { text: 'COMMIT' },
  ];
  const commitAt = queries.length - 1;
  // After the COMMIT, outside the transaction: its failure cannot touch the batch.
  const probe = plans.probe();
  if (probe) queries.push(probe);
  // Pipelined: every query is written before the first reply is read, all in ONE socket write.
  const settled = await Promise.allSettled(corked(client, () => queries.map((query) => client.query(query))));
  const measured = probe ? settled[commitAt + 1] : undefined;
  if (measured?.status === 'fulfilled') plans.observe(measured.value);
  const commit = settled[commitAt]!;
  if (commit.status === 'rejected') throw rootCause(settled, commit.reason);
  const firstError = settled.slice(0, commitAt).find((s) => s.status === 'rejected');
  if (commit.value.command !== 'COMMIT') {
    throw new RolledBack('transaction rolled back', {
      cause: firstError?.reason ?? new Error('COMMIT answered ROLLBACK'),
    });
  }
  // Committed. A statement that failed without aborting the transaction (it could not even be
  // sent, e.g. a value the driver cannot encode) applied nothing: only its operations fail.
  const outcomes: (Outcome | KeyLookup)[] = new Array(batch.length);
  statements.forEach((statement, i) => {
    const result = settled[i + 1]!;
    const list: (Outcome | KeyLookup)[] =
      result.status === 'fulfilled'
        ? statement.outcomes(result.value)
        : statement.ops.map(() => failed(storeError(result.reason)));
    statement.ops.forEach((op, j) => {
      outcomes[op] = list[j]!;
    });
  });
  return resolveLookups(client, sql, outcomes);
}

/**
 * Why a pipelined batch whose COMMIT failed (its connection broke) failed: `error` (the COMMIT's)
 * when the server said it, else the first failure among its queries. The query the connection
 * broke on got the cause — the server's words as it ended the connection (`terminating
 * connection due to administrator command`, SQLSTATE 57P01), or the driver's `queryTimeoutMs` —
 * and the ones after it, the COMMIT too, only "Connection terminated unexpectedly".
 */
function rootCause(settled: readonly PromiseSettledResult<unknown>[], error: unknown): unknown {
  if (error instanceof pg.DatabaseError) return error;
  const first = settled.find((s) => s.status === 'rejected');
  return first === undefined ? error : (first as PromiseRejectedResult).reason;
}

/** The batch again, each operation alone under a savepoint so a failing one is rejected alone. */
async function isolatedPath(
  client: pg.PoolClient,
  { sql, plans }: CommitContext,
  batch: readonly Op[],
  notify: Notify | null,
): Promise<Outcome[]> {
  const outcomes: (Outcome | KeyLookup)[] = new Array(batch.length);
  await client.query(plans.begin(rowWritesOnly(batch)));
  try {
    // Each operation is a statement of its own here: two that lock rows take the locks first.
    const lock = batch.filter(locksRows).length > 1 ? rowLocks(batch, sql) : null;
    if (lock) await runIsolated(client, { query: lock, ops: [], outcomes: () => [] });
    for (const statement of singleStatements(batch, sql)) {
      outcomes[statement.ops[0]!] = (await runIsolated(client, statement))!;
    }
    if (notify) await client.query(notifyQuery(notify));
    const commit = await client.query('COMMIT');
    if (commit.command !== 'COMMIT') throw storeError(new Error('the transaction was rolled back'));
  } catch (error) {
    if (!isConnectionError(error)) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return resolveLookups(client, sql, outcomes);
}

/**
 * Runs `statement` under a savepoint: its outcome, or its failure alone (the statement rolled
 * back, the transaction going on). Undefined for a statement without operations.
 */
async function runIsolated(
  client: pg.PoolClient,
  statement: Statement,
): Promise<Outcome | KeyLookup | undefined> {
  await client.query('SAVEPOINT op');
  try {
    const result = await client.query(statement.query);
    await client.query('RELEASE SAVEPOINT op');
    return statement.outcomes(result)[0];
  } catch (error) {
    if (isConnectionError(error)) throw error;
    await client.query('ROLLBACK TO SAVEPOINT op');
    return failed(storeError(error));
  }
}

/**
 * Resolves creates whose idempotency key was taken by a transaction that committed after their
 * statement started (two nodes creating with one key at once): the holder's id, read now.
 */
async function resolveLookups(
  client: pg.PoolClient,
  sql: Sql,
  outcomes: (Outcome | KeyLookup)[],
): Promise<Outcome[]> {
  const keys = outcomes.filter((o): o is KeyLookup => 'lookup' in o).map((o) => o.lookup);
  if (keys.length === 0) return outcomes as Outcome[];
  let holders: Map<string, string>;
  try {
    const result = await client.query<{ id: string; idempotency_key: string }>(sql.idsByIdempotencyKey, [
      keys,
    ]);
    holders = new Map(result.rows.map((row) => [row.idempotency_key, row.id]));
  } catch (error) {
    const failure = failed(storeError(error));
    return outcomes.map((o) => ('lookup' in o ? failure : o));
  }
  return outcomes.map((o) => {
    if (!('lookup' in o)) return o;
    const id = holders.get(o.lookup);
    return id === undefined
      ? failed(new ConflictError(`Idempotency key ${echo(o.lookup)} is taken`))
      : succeeded<CreateResult>({ id, created: false });
  });
}
