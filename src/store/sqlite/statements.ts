/**
 * Every SQL statement of the SQLite store, prepared once per connection.
 * @module
 */
import type Database from 'better-sqlite3';
import { FINISHED_SQL as FINISHED, UNFINISHED_SQL as UNFINISHED } from '../states.js';

export type { AggregateRow, OwnerLoadRow } from '../record-codec.js';

/** A row of `executions` (columns as stored). */
export interface ExecutionRow {
  id: string;
  workflow_id: string;
  workflow_version: number;
  status: string;
  created_at: number;
  completed_at: number | null;
  idempotency_key: string | null;
  owner: string | null;
  lease_until: number | null;
  epoch: number;
  cancel_requested: number;
  compensated: number;
  steps_run: number;
  steps_retried: number;
  /** JSON object with the record's other fields. */
  state: string;
}

/** An execution row with its input (JSON). */
export interface ExecutionRowWithInput extends ExecutionRow {
  input: string | null;
}

/** A row of `steps`. */
export interface StepRow {
  execution_id: string;
  name: string;
  record: string;
}

/** A row of `definitions`. */
export interface DefinitionRow {
  id: string;
  version: number;
  created_at: number;
  body: string;
}

/** A row of `nodes`. */
export interface NodeRow {
  id: string;
  started_at: number;
  last_heartbeat: number;
  running: number;
  queued: number;
  capacity: number;
  /** JSON object. */
  info: string;
}

const WITH_INPUT =
  'SELECT e.*, (SELECT input FROM execution_inputs WHERE execution_id = e.id) AS input FROM executions e';
const NEWEST_FIRST = 'ORDER BY e.created_at DESC, e.id DESC';
/**
 * No owner, no lease end, an expired lease, or an owner known to be dead; and not of a workflow
 * version in @skip (`[workflowId, version, compensates, runs]`), unless it compensates one that
 * only compensates, or runs one that is not compensating, or the execution is pending with a cancel
 * requested (it needs no handler: see `SkippedVersion`).
 */
const CLAIMABLE = `${UNFINISHED} AND (owner IS NULL OR lease_until IS NULL OR lease_until < @now OR owner IN (SELECT value FROM json_each(@stale)))
  AND NOT EXISTS (SELECT 1 FROM json_each(@skip) k WHERE json_extract(k.value, '$[0]') = workflow_id
    AND json_extract(k.value, '$[1]') = workflow_version
    AND NOT (json_extract(k.value, '$[2]') AND (cancel_requested = 1 OR status = 'compensating'))
    AND NOT (json_extract(k.value, '$[3]') AND status <> 'compensating')
    AND NOT (cancel_requested = 1 AND status = 'pending'))`;

/** A claimed execution stored under a worker goes under @worker when one is given (see `ClaimRequest.worker`). */
const CLAIMED_WORKER = `state = CASE WHEN @worker IS NULL OR json_extract(state, '$.workerId') IS NULL THEN state
    ELSE json_set(state, '$.workerId', @worker) END`;

/**
 * Filter shapes of list/count, by bits: 1 status, 2 workflow, 4 a place to list after (`before`),
 * 8 a place to list before (`after`; arguments bound in that order). A place is a row-value bound,
 * `(created_at, id) < (?, ?)` or `> (?, ?)`, which the newest-first indexes (`executions_created`,
 * `_status`, `_workflow`) serve as a range, read downwards or upwards.
 */
const FILTERS = Array.from({ length: 16 }, (_, shape) => {
  const where: string[] = [];
  if (shape & 1) where.push('e.status = ?');
  if (shape & 2) where.push('e.workflow_id = ?');
  if (shape & 4) where.push('(e.created_at, e.id) < (?, ?)');
  if (shape & 8) where.push('(e.created_at, e.id) > (?, ?)');
  return where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
});
/**
 * Statuses whose listing by workflow has an index of its own (see {@link ensureListIndexes}):
 * those a dashboard or a script filters a workflow's history for, rare among its executions. The
 * workflow's index alone walked all its executions to find them (124 ms for none among 150,000),
 * and an index of every status by workflow would cost each execution's writes.
 */
export const SETTLED_STATUSES: ReadonlySet<string> = new Set(['failed', 'cancelled']);
const SETTLED = "e.status IN ('failed', 'cancelled')";
/** Of the shapes with `after` (bit 8): the rows nearest to it come first (the store reverses them). */
const OLDEST_FIRST = 'ORDER BY e.created_at, e.id';
/** Per-status counts and sums; `by`: columns to group by first (with a trailing comma). */
/**
 * Per-status counts and sums of the executions and of those retention deleted (`purged_counts`);
 * `by`: columns to group by first (with a trailing comma). `where` applies to both tables: its
 * parameters are bound twice.
 */
const aggregate = (
  where: string,
  by = '',
) => `SELECT ${by}status, sum(n) AS n, sum(compensated) AS compensated,
  sum(steps_run) AS steps_run, sum(steps_retried) AS steps_retried FROM (
    SELECT ${by}status, count(*) AS n, sum(compensated) AS compensated, sum(steps_run) AS steps_run,
      sum(steps_retried) AS steps_retried FROM executions ${where} GROUP BY ${by}status
    UNION ALL SELECT ${by}status, n, compensated, steps_run, steps_retried FROM purged_counts ${where}
  ) GROUP BY ${by}status`;

/** A row `purgeCandidates` returns. */
export interface PurgeRow {
  id: string;
  workflow_id: string;
  /** '' for none. */
  owner: string;
  status: string;
  compensated: number;
  steps_run: number;
  steps_retried: number;
}

/** Every single statement, by name. */
const SQL = {
  saveDefinition: `INSERT INTO definitions (id, version, created_at, body) VALUES (?, ?, ?, ?)
    ON CONFLICT (id, version) DO NOTHING`,
  allDefinitions: 'SELECT * FROM definitions ORDER BY id, version',
  definitionsOf: 'SELECT * FROM definitions WHERE id = ? AND version > ? ORDER BY version',

  insertExecution: `INSERT INTO executions (id, workflow_id, workflow_version, status, created_at, completed_at,
      idempotency_key, owner, lease_until, epoch, cancel_requested, compensated, steps_run, steps_retried, state)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (idempotency_key) DO NOTHING`,
  insertInput: 'INSERT INTO execution_inputs (execution_id, input) VALUES (?, ?)',
  idByIdempotencyKey: 'SELECT id FROM executions WHERE idempotency_key = ?',
  holderOfIdempotencyKey: 'SELECT id, workflow_id FROM executions WHERE idempotency_key = ?',
  rowForUpdate: 'SELECT * FROM executions WHERE id = ?',
  updateExecution: `UPDATE executions SET workflow_version = ?, status = ?, owner = ?, lease_until = ?, epoch = ?,
      cancel_requested = ?, completed_at = ?, compensated = ?, steps_run = ?, steps_retried = ?, state = ?
    WHERE id = ? AND epoch = ?`,
  // The common step update: no indexed column changes, so no index entry is rewritten.
  updateProgress: `UPDATE executions SET completed_at = ?, compensated = ?, steps_run = ?, steps_retried = ?, state = ?
    WHERE id = ? AND epoch = ?`,
  // A runner's update carries the whole state: written without reading the row first. Columns
  // the patch leaves out keep their value; of them only completed_at may be set to NULL this way
  // (its first parameter says whether the patch has it, the second is the value).
  replaceState: `UPDATE executions SET workflow_version = coalesce(?, workflow_version), status = coalesce(?, status),
      completed_at = iif(?, ?, completed_at), compensated = coalesce(?, compensated),
      steps_run = coalesce(?, steps_run), steps_retried = coalesce(?, steps_retried), state = ?
    WHERE id = ? AND epoch = ?`,
  replaceProgress: `UPDATE executions SET completed_at = iif(?, ?, completed_at), compensated = coalesce(?, compensated),
      steps_run = coalesce(?, steps_run), steps_retried = coalesce(?, steps_retried), state = ?
    WHERE id = ? AND epoch = ?`,
  upsertStep: `INSERT INTO steps (execution_id, name, record) VALUES (?, ?, ?)
    ON CONFLICT (execution_id, name) DO UPDATE SET record = excluded.record`,

  getExecution: `${WITH_INPUT} WHERE e.id = ?`,
  stepsOf: 'SELECT * FROM steps WHERE execution_id = ? ORDER BY name',
  stepsOfMany:
    'SELECT * FROM steps WHERE execution_id IN (SELECT value FROM json_each(?)) ORDER BY execution_id, name',
  listOwners: `SELECT DISTINCT owner FROM executions WHERE ${UNFINISHED} AND owner IS NOT NULL ORDER BY owner`,
  countUnowned: `SELECT count(*) FROM executions WHERE ${UNFINISHED} AND owner IS NULL`,

  // Claims bind named parameters; @stale, @skip and @ids are JSON arrays.
  claim: `UPDATE executions SET owner = @owner, lease_until = @leaseUntil, epoch = epoch + 1, ${CLAIMED_WORKER} WHERE id IN (
      SELECT id FROM executions WHERE ${CLAIMABLE} ORDER BY created_at, id LIMIT @limit)
    RETURNING id`,
  claimAmong: `UPDATE executions SET owner = @owner, lease_until = @leaseUntil, epoch = epoch + 1, ${CLAIMED_WORKER} WHERE id IN (
      SELECT id FROM executions WHERE id IN (SELECT value FROM json_each(@ids)) AND ${CLAIMABLE}
      ORDER BY created_at, id LIMIT @limit)
    RETURNING id`,
  byIdsOldestFirst: `${WITH_INPUT} WHERE e.id IN (SELECT value FROM json_each(?)) ORDER BY e.created_at, e.id`,
  renewLeases: `UPDATE executions SET lease_until = ? WHERE owner = ? AND ${UNFINISHED} RETURNING id`,
  releaseLeases: `UPDATE executions SET owner = NULL, lease_until = NULL WHERE owner = ? AND ${UNFINISHED}`,
  releaseAmong: `UPDATE executions SET owner = NULL, lease_until = NULL WHERE owner = ? AND ${UNFINISHED}
    AND id IN (SELECT value FROM json_each(?))`,
  // A hand-over (`Store.handOver`) binds @to, @leaseUntil, @from and @ids (a JSON array).
  handOver: `UPDATE executions SET owner = @to, lease_until = @leaseUntil, epoch = epoch + 1
    WHERE owner = @from AND status = 'pending' AND id IN (SELECT value FROM json_each(@ids))
    RETURNING id`,
  requestCancel: `UPDATE executions SET cancel_requested = 1 WHERE id = ? AND ${UNFINISHED}`,
  cancelRequests: `SELECT id FROM executions WHERE owner = ? AND cancel_requested = 1 AND ${UNFINISHED}
    ORDER BY created_at, id`,

  // Retention. Finished executions that completed before @before (and so were created before it: the
  // status index finds them), in no order, at most @limit; their steps and input go with them.
  purgeCandidates: `SELECT id, workflow_id, coalesce(owner, '') AS owner, status, compensated, steps_run,
      steps_retried FROM executions WHERE ${FINISHED} AND created_at < @before AND completed_at < @before LIMIT @limit`,
  // How many `purgeCandidates` would find with no limit (`orchestrator purge` without `--yes`).
  countPurgeable: `SELECT count(*) FROM executions WHERE ${FINISHED} AND created_at < @before
    AND completed_at < @before`,
  deleteSteps: 'DELETE FROM steps WHERE execution_id = ?',
  deleteInput: 'DELETE FROM execution_inputs WHERE execution_id = ?',
  deleteExecution: 'DELETE FROM executions WHERE id = ?',
  addPurged: `INSERT INTO purged_counts (workflow_id, owner, status, n, compensated, steps_run, steps_retried)
    VALUES (?, ?, ?, 1, ?, ?, ?)
    ON CONFLICT (workflow_id, owner, status) DO UPDATE SET n = n + 1, compensated = compensated + excluded.compensated,
      steps_run = steps_run + excluded.steps_run, steps_retried = steps_retried + excluded.steps_retried`,

  aggregate: aggregate(''),
  aggregateOf: aggregate('WHERE workflow_id = ?'),
  aggregateByWorkflow: aggregate('', 'workflow_id, '),
  aggregateByWorkflowExcept: aggregate('WHERE owner IS NULL OR owner <> ?', 'workflow_id, '),
  aggregateByWorkflowOf: aggregate('WHERE owner = ?', 'workflow_id, '),

  // Cluster: the node registry, and the load of each owner.
  upsertNode: `INSERT INTO nodes (id, started_at, last_heartbeat, running, queued, capacity, info)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, last_heartbeat = excluded.last_heartbeat,
      running = excluded.running, queued = excluded.queued, capacity = excluded.capacity, info = excluded.info`,
  removeNode: 'DELETE FROM nodes WHERE id = ?',
  allNodes: 'SELECT * FROM nodes ORDER BY started_at, id',
  nodeInfo: 'SELECT info FROM nodes WHERE id = ?',
  nodesSince: 'SELECT * FROM nodes WHERE last_heartbeat >= ? ORDER BY started_at, id',
  loadByOwner: `SELECT owner, count(*) AS n FROM executions WHERE ${UNFINISHED} AND owner IS NOT NULL
    GROUP BY owner`,
  listOwned: `SELECT id FROM executions WHERE owner = ? AND ${UNFINISHED} ORDER BY created_at, id LIMIT ?`,
  ownedRecords: `${WITH_INPUT} WHERE e.owner = ? AND e.${UNFINISHED} ORDER BY e.created_at, e.id`,
} as const;

/** Statements that return the first column's value instead of row objects. */
const PLUCKED: ReadonlySet<keyof typeof SQL> = new Set([
  'idByIdempotencyKey',
  'listOwners',
  'countUnowned',
  'claim',
  'claimAmong',
  'handOver',
  'renewLeases',
  'cancelRequests',
  'listOwned',
  'countPurgeable',
  'nodeInfo',
] as const);

/** The prepared statements of one connection. */
export type Statements = { readonly [K in keyof typeof SQL]: Database.Statement } & {
  /** Newest first (oldest first with `after`), `LIMIT ? OFFSET ?`; indexed by filter shape (see `FILTERS`). */
  readonly list: Database.Statement[];
  /** `count(*)`, plucked; indexed by filter shape. */
  readonly count: Database.Statement[];
  /**
   * `list` and `count` for the shapes with a status and a workflow (bits 1 and 2) when the status
   * is one of {@link SETTLED_STATUSES}: their WHERE names those statuses, so SQLite reads the
   * partial index of them by workflow. Indexed by filter shape; undefined for the other shapes.
   */
  readonly listSettled: (Database.Statement | undefined)[];
  readonly countSettled: (Database.Statement | undefined)[];
};

/**
 * Creates the partial index of failed and cancelled executions by workflow when the file lacks
 * it. Not a numbered migration: a release before it opens a file that has it (a migration it
 * does not know would make it refuse the file, so a rollback would fail) and keeps it up to date
 * as any index. A read-only file, or one whose write lock stays taken, goes without it (its
 * listings are only slower).
 */
export function ensureListIndexes(db: Database.Database): void {
  if (db.readonly) return;
  try {
    db.exec(
      `CREATE INDEX IF NOT EXISTS executions_workflow_settled ON executions (workflow_id, status, created_at DESC, id DESC) WHERE ${SETTLED.replaceAll('e.', '')}`,
    );
  } catch {
    // See above: without it, the same statements walk the workflow's index.
  }
}

/** Prepares every statement of the store on `db`. */
export function prepareStatements(db: Database.Database): Statements {
  const out: Record<string, unknown> = {};
  for (const [name, sql] of Object.entries(SQL)) {
    const statement = db.prepare(sql);
    out[name] = PLUCKED.has(name as keyof typeof SQL) ? statement.pluck() : statement;
  }
  out.list = FILTERS.map((where, shape) =>
    db.prepare(`${WITH_INPUT} ${where} ${shape & 8 ? OLDEST_FIRST : NEWEST_FIRST} LIMIT ? OFFSET ?`),
  );
  out.count = FILTERS.slice(0, 4).map((where) =>
    db.prepare(`SELECT count(*) FROM executions e ${where}`).pluck(),
  );
  const settled = (where: string) => where.replace('WHERE ', `WHERE ${SETTLED} AND `);
  out.listSettled = FILTERS.map((where, shape) =>
    (shape & 3) === 3
      ? db.prepare(
          `${WITH_INPUT} ${settled(where)} ${shape & 8 ? OLDEST_FIRST : NEWEST_FIRST} LIMIT ? OFFSET ?`,
        )
      : undefined,
  );
  out.countSettled = FILTERS.slice(0, 4).map((where, shape) =>
    (shape & 3) === 3 ? db.prepare(`SELECT count(*) FROM executions e ${settled(where)}`).pluck() : undefined,
  );
  return out as Statements;
}
