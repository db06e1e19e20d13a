/**
 * The per-workflow counts of the executions other processes hold, read in chunks: one GROUP BY of
 * the whole `executions` table took 229–433 ms at 190,000 executions, and better-sqlite3 runs it
 * on the event loop, so a node sharing its file with another process (a CLI `orchestrator run`, a
 * second node) stalled every running workflow that long whenever the other process wrote. Here the
 * table is read a range of rowids at a time, yielding to the event loop between ranges, on a
 * read-only connection of its own inside one read transaction: the counts are those of a single
 * snapshot, as the one statement's were, and no write of this process's connection waits for it.
 * @module
 */
import type Database from 'better-sqlite3';
import type { AggregateRow } from '../record-codec.js';

/** Rows read per range: a few tens of milliseconds of the event loop at most. */
export const CHUNK_ROWS = 20_000;

type Row = AggregateRow & { workflow_id: string };

const COLUMNS = `workflow_id, status, count(*) AS n, sum(compensated) AS compensated,
  sum(steps_run) AS steps_run, sum(steps_retried) AS steps_retried`;

/** The statements, prepared once per connection. */
const prepared = new WeakMap<
  Database.Database,
  { max: Database.Statement; range: Database.Statement; purged: Database.Statement }
>();

function statementsOf(db: Database.Database) {
  let s = prepared.get(db);
  if (!s) {
    s = {
      max: db.prepare('SELECT coalesce(max(rowid), 0) FROM executions').pluck(),
      range: db.prepare(`SELECT ${COLUMNS} FROM executions WHERE rowid > ? AND rowid <= ?
        AND (owner IS NULL OR owner <> ?) GROUP BY workflow_id, status`),
      purged: db.prepare(`SELECT ${COLUMNS.replace('count(*)', 'sum(n)')} FROM purged_counts
        WHERE owner IS NULL OR owner <> ? GROUP BY workflow_id, status`),
    };
    prepared.set(db, s);
  }
  return s;
}

/**
 * The counts per workflow and status of the executions (and of those retention purged) not held by
 * `exceptOwner`, read on `db` (a read-only connection no other code uses) a range of
 * {@link CHUNK_ROWS} rowids at a time. `stillOpen` is asked between ranges: false ends the read.
 * @throws whatever `db` throws, or `closed()` when the store closed during the read.
 */
export async function aggregateExceptInChunks(
  db: Database.Database,
  exceptOwner: string,
  stillOpen: () => boolean,
  closed: () => Error,
  chunk = CHUNK_ROWS,
): Promise<Row[]> {
  if (!stillOpen()) throw closed();
  const s = statementsOf(db);
  const sums = new Map<string, Row>();
  const add = (row: Row) => {
    const key = `${row.status}\u0000${row.workflow_id}`;
    const seen = sums.get(key);
    if (!seen) sums.set(key, { ...row });
    else {
      seen.n += row.n;
      seen.compensated += row.compensated;
      seen.steps_run += row.steps_run;
      seen.steps_retried += row.steps_retried;
    }
  };
  db.exec('BEGIN');
  try {
    const max = s.max.get() as number;
    for (const row of s.purged.all(exceptOwner) as Row[]) add(row);
    for (let low = 0; low < max; low += chunk) {
      for (const row of s.range.all(low, low + chunk, exceptOwner) as Row[]) add(row);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!stillOpen()) throw closed();
    }
  } finally {
    if (db.open && db.inTransaction) db.exec('COMMIT');
  }
  return [...sums.values()];
}
