/**
 * How the PostgreSQL store commits one group-commit batch: ONE transaction on one pooled client,
 * with one outcome per operation.
 *
 * Fast path: `BEGIN`, the batch's statements (see `operations.ts`), an optional `pg_notify`, and
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
import type pg from 'pg';
import { ConflictError } from '../../errors.js';
import { failed, type Outcome, succeeded } from '../group-commit.js';
import type { CreateResult } from '../store.js';
import { isConnectionError, isTransient, storeError } from './connection.js';
import { type KeyLookup, type Op, planStatements, type Statement, singleStatements } from './operations.js';
import type { Sql } from './statements.js';

const TRANSIENT_RETRIES = 3;

/** A NOTIFY to send inside the transaction. */
export interface Notify {
  channel: string;
  payload: string;
}

/** Thrown by the fast path when the transaction rolled back; `cause` is the first error. */
class RolledBack extends Error {}

/**
 * Commits `batch` on `client` in one transaction and returns one outcome per operation.
 * `notify` is sent within the transaction when given. Throws if nothing can be known to have
 * committed (connection lost, `COMMIT` failed).
 */
export async function commitBatch(
  client: pg.PoolClient,
  sql: Sql,
  batch: readonly Op[],
  notify: Notify | null,
): Promise<Outcome[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fastPath(client, sql, batch, notify);
    } catch (error) {
      if (!(error instanceof RolledBack)) throw error;
      if (isConnectionError(error.cause)) throw error.cause;
      if (isTransient(error.cause) && attempt < TRANSIENT_RETRIES) continue;
      return isolatedPath(client, sql, batch, notify);
    }
  }
}

function notifyQuery(notify: Notify): pg.QueryConfig {
  return {
    name: 'orchestrator_notify',
    text: 'SELECT pg_notify($1, $2)',
    values: [notify.channel, notify.payload],
  };
}

async function fastPath(
  client: pg.PoolClient,
  sql: Sql,
  batch: readonly Op[],
  notify: Notify | null,
): Promise<Outcome[]> {
  const statements = planStatements(batch, sql);
  const queries: pg.QueryConfig[] = [
    { text: 'BEGIN' },
    ...statements.map((s) => s.query),
    ...(notify ? [notifyQuery(notify)] : []),
    { text: 'COMMIT' },
  ];
  // Pipelined: every query is written before the first reply is read.
  const settled = await Promise.allSettled(queries.map((query) => client.query(query)));
  const commit = settled[settled.length - 1]!;
  if (commit.status === 'rejected') throw commit.reason;
  const firstError = settled.find((s) => s.status === 'rejected');
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

/** The batch again, each operation alone under a savepoint so a failing one is rejected alone. */
async function isolatedPath(
  client: pg.PoolClient,
  sql: Sql,
  batch: readonly Op[],
  notify: Notify | null,
): Promise<Outcome[]> {
  const outcomes: (Outcome | KeyLookup)[] = new Array(batch.length);
  await client.query('BEGIN');
  try {
    for (const statement of singleStatements(batch, sql)) {
      outcomes[statement.ops[0]!] = await runIsolated(client, statement);
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

async function runIsolated(client: pg.PoolClient, statement: Statement): Promise<Outcome | KeyLookup> {
  await client.query('SAVEPOINT op');
  try {
    const result = await client.query(statement.query);
    await client.query('RELEASE SAVEPOINT op');
    return statement.outcomes(result)[0]!;
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
      ? failed(new ConflictError(`Idempotency key '${o.lookup}' is taken`))
      : succeeded<CreateResult>({ id, created: false });
  });
}
