/**
 * Which execution holds an idempotency key, seen after every create with that key already under
 * way in another transaction has ended (`PostgresStore.findByIdempotencyKey`).
 *
 * The engine asks only when it would refuse an `executeWorkflow` with a key (see the engine's
 * `idempotent-retry.ts`): a retry sent to this node while another node's create with the same key
 * is inserted but not yet committed (its group commit still running) must get that execution's id
 * once it commits, not the refusal. A plain read cannot see that row yet, and does not wait for
 * it; an insert does: PostgreSQL makes an insert that would take a unique key wait for the
 * transaction that inserted it to end. So the lookup is one transaction, pipelined (one round
 * trip plus the wait): a probe row that tries to take the key (`ON CONFLICT DO NOTHING`), then
 * the read (READ COMMITTED: a new snapshot, taken after the wait), then ROLLBACK: the probe row is
 * never seen by anyone. If the other create committed, the read finds its execution; if it rolled
 * back, the key is free (null). A create with that key that has not reached the database yet (still
 * queued on its node) is not waited for: it commits after this answer, as if it had come later.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { IdempotencyKeyHolder } from '../store.js';
import { poolError, storeError } from './connection.js';
import type { Sql } from './statements.js';

/**
 * The execution that holds `key` once the transactions inserting it have ended, or null; `opening`
 * opens the transaction (READ COMMITTED, see `begin.ts`).
 * @throws `STORE_UNAVAILABLE` when the database does not answer (its `queryTimeoutMs` included).
 */
export async function holderOfKey(
  pool: pg.Pool,
  sql: Sql,
  key: string,
  opening: string,
): Promise<IdempotencyKeyHolder | null> {
  // Real ids start with `exec_`: the probe's never names an execution.
  const probe = `key-probe:${randomBytes(12).toString('hex')}`;
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw poolError(pool, error);
  }
  const [begin, inserted, read, end] = await Promise.allSettled([
    client.query(opening),
    client.query(sql.probeIdempotencyKey, [probe, key]),
    client.query<{ id: string; workflow_id: string }>(sql.holderOfIdempotencyKey, [key, probe]),
    client.query('ROLLBACK'),
  ]);
  // A connection whose transaction did not end as it should is not handed out again.
  client.release(end.status === 'rejected' ? storeError(end.reason) : undefined);
  // The first failure says why (those after it only say the transaction was aborted).
  for (const step of [begin, inserted, read]) {
    if (step.status === 'rejected') throw storeError(step.reason);
  }
  const row = read.status === 'fulfilled' ? read.value.rows[0] : undefined;
  return row ? { id: row.id, workflowId: row.workflow_id } : null;
}
