/**
 * Every SQL statement of the PostgreSQL store, with each table qualified by the store's schema.
 *
 * Writes are set-based: a run of creates or of updates in one group-commit flush becomes ONE
 * statement over `unnest()`ed arrays, so its size does not change the statement text and each is
 * prepared once per connection (named statements).
 * @module
 */
import { FINISHED_SQL as FINISHED, UNFINISHED_SQL as UNFINISHED } from '../states.js';
import { ident } from './connection.js';

export type { AggregateRow, OwnerLoadRow } from '../record-codec.js';

/** A row of `executions` (columns as read, int8 parsed to numbers, `state` parsed). */
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
  cancel_requested: boolean;
  compensated: boolean;
  steps_run: number;
  steps_retried: number;
  state: Record<string, unknown>;
  /** The input (parsed JSON); null when missing. */
  input: unknown;
}

/** An execution row with its steps as `[name, record]` pairs ordered by name. */
export interface SnapshotRow extends ExecutionRow {
  steps: [string, Record<string, unknown>][];
}

/** A row of `definitions`. */
export interface DefinitionRow {
  id: string;
  version: number;
  created_at: number;
  body: Record<string, unknown>;
}

/** A row of `nodes` (int8 parsed to numbers, `info` parsed). */
export interface NodeRow {
  id: string;
  started_at: number;
  last_heartbeat: number;
  running: number;
  queued: number;
  capacity: number;
  info: Record<string, unknown>;
}

/** A row of the create statement: an execution NOT inserted, and its key's holder if visible. */
export interface CreateResultRow {
  id: string;
  existing: string | null;
}

/** A row of the update statement: an execution NOT updated, and whether it exists. */
export interface UpdateResultRow {
  id: string;
  found: boolean;
}

/**
 * Filter shapes of list/count, by bits: 1 status, 2 workflow, 4 a place to list after (`before`),
 * 8 a place to list before (`after`; arguments numbered in that order; `params`: how many). A
 * place is a row-value bound, `(created_at, id) < ($i, $j)` or `> ($i, $j)`, which the
 * newest-first indexes (`executions_created`, `_status`, `_workflow`) serve as a range, read
 * downwards or (with `after`, oldest first: the store reverses the rows) upwards.
 */
const FILTERS = Array.from({ length: 16 }, (_, shape) => {
  const where: string[] = [];
  let params = 0;
  const next = () => `$${++params}`;
  if (shape & 1) where.push(`e.status = ${next()}`);
  if (shape & 2) where.push(`e.workflow_id = ${next()}`);
  if (shape & 4) where.push(`(e.created_at, e.id) < (${next()}::int8, ${next()})`);
  if (shape & 8) where.push(`(e.created_at, e.id) > (${next()}::int8, ${next()})`);
  const order = shape & 8 ? 'e.created_at, e.id' : 'e.created_at DESC, e.id DESC';
  return { where: where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`, params, order };
});

/** The SQL of one store, by statement. */
export type Sql = ReturnType<typeof buildSql>;

/**
 * Builds every statement for the tables of `schema`.
 * @param lockInIdOrder lock the rows a batched update writes in id order before writing them
 *   (several write lanes: on a small table the planner may join by scanning it in physical order,
 *   and lanes locking in different orders would deadlock one another and with lease renewals).
 */
export function buildSql(schema: string, lockInIdOrder = false) {
  const s = ident(schema);
  const executions = `${s}.executions`;
  const steps = `${s}.steps`;
  const inputs = `${s}.execution_inputs`;
  const nodes = `${s}.nodes`;
  const purged = `${s}.purged_counts`;
  const withInput = `(SELECT input FROM ${inputs} WHERE execution_id = e.id) AS input`;
  const snapshot = `SELECT e.*, ${withInput},
    (SELECT coalesce(json_agg(json_build_array(st.name, st.record) ORDER BY st.name), '[]')
      FROM ${steps} st WHERE st.execution_id = e.id) AS steps
    FROM ${executions} e`;
  // $6..$9: the skipped workflow versions (see `SkippedVersion`), as parallel arrays; $10 the
  // worker a claimed execution stored under one goes under (`ClaimRequest.worker`), or null.
  const claimable = `${UNFINISHED} AND (owner IS NULL OR lease_until IS NULL OR lease_until < $3
    OR owner = ANY($4::text[]))
    AND NOT EXISTS (SELECT 1 FROM unnest($6::text[], $7::int[], $8::bool[], $9::bool[]) AS k(w, v, c, r)
      WHERE k.w = workflow_id AND k.v = workflow_version
        AND NOT (k.c AND (cancel_requested OR status = 'compensating'))
        AND NOT (k.r AND status <> 'compensating')
        AND NOT (cancel_requested AND status = 'pending'))`;
  const claim = (among: string) => `WITH c AS (
      SELECT id FROM ${executions} WHERE ${claimable} ${among}
      ORDER BY created_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)
    UPDATE ${executions} e SET owner = $1, lease_until = $2, epoch = e.epoch + 1,
      state = CASE WHEN $10::text IS NULL OR e.state->>'workerId' IS NULL THEN e.state
        ELSE jsonb_set(e.state, '{workerId}', to_jsonb($10::text)) END
    FROM c WHERE e.id = c.id
    RETURNING e.*, ${withInput}`;
  const ownedInIdOrder = `SELECT id FROM ${executions} WHERE owner = $1 AND ${UNFINISHED} ORDER BY id FOR UPDATE`;
  // The executions' counts plus those of the executions retention deleted (`where` applies to both).
  const aggregate = (
    where: string,
    by = '',
  ) => `SELECT ${by}status, sum(n) AS n, sum(compensated) AS compensated,
      sum(steps_run) AS steps_run, sum(steps_retried) AS steps_retried FROM (
        SELECT ${by}status, count(*) AS n, count(*) FILTER (WHERE compensated) AS compensated,
          coalesce(sum(steps_run), 0) AS steps_run, coalesce(sum(steps_retried), 0) AS steps_retried
        FROM ${executions} ${where} GROUP BY ${by}status
        UNION ALL SELECT ${by}status, n, compensated, steps_run, steps_retried FROM ${purged} ${where}
      ) a GROUP BY ${by}status`;

  return {
    /**
     * $1..$14: column arrays of the new executions; $15 their `state` objects and $16 their inputs,
     * each as ONE JSON array (built by joining JSON texts: nothing to escape); $17, $18 step
     * execution ids and names, $19 the step records as one JSON array. Returns only the executions
     * NOT created, with the id that holds their idempotency key (if visible yet).
     */
    create: `WITH c AS (
        SELECT * FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::int[]),
          unnest($4::text[]), unnest($5::int8[]), unnest($6::int8[]), unnest($7::text[]), unnest($8::text[]),
          unnest($9::int8[]), unnest($10::int8[]), unnest($11::bool[]), unnest($12::bool[]),
          unnest($13::int8[]), unnest($14::int8[]), jsonb_array_elements($15::jsonb),
          json_array_elements($16::json))
        AS c(id, workflow_id, workflow_version, status, created_at, completed_at, idempotency_key, owner,
          lease_until, epoch, cancel_requested, compensated, steps_run, steps_retried, state, input)
      ), ins AS (
        INSERT INTO ${executions} (id, workflow_id, workflow_version, status, created_at, completed_at,
          idempotency_key, owner, lease_until, epoch, cancel_requested, compensated, steps_run,
          steps_retried, state)
        SELECT id, workflow_id, workflow_version, status, created_at, completed_at, idempotency_key, owner,
          lease_until, epoch, cancel_requested, compensated, steps_run, steps_retried, state FROM c
        ON CONFLICT DO NOTHING
        RETURNING id
      ), inputs AS (
        INSERT INTO ${inputs} (execution_id, input) SELECT c.id, c.input FROM c JOIN ins ON ins.id = c.id
      ), new_steps AS (
        INSERT INTO ${steps} (execution_id, name, record)
        SELECT st.execution_id, st.name, st.record
        FROM ROWS FROM (unnest($17::text[]), unnest($18::text[]), json_array_elements($19::json))
          AS st(execution_id, name, record)
        JOIN ins ON ins.id = st.execution_id
      )
      SELECT c.id, CASE WHEN c.idempotency_key IS NOT NULL THEN
          (SELECT x.id FROM ${executions} x WHERE x.idempotency_key = c.idempotency_key) END AS existing
      FROM c WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.id = c.id)`,

    /**
     * $1 ids, $2 epochs, $3 column patches (keys as in the record) and $4 \`state\` patches (null:
     * none), each as ONE JSON array; $5, $6 step execution ids and names, $7 the step records as
     * one JSON array. The compare-and-set on epoch is the fence: a row whose epoch moved is not
     * updated and its steps are not written. Returns only the rows NOT updated, and whether they
     * exist. The rows come from `unnest` (the patches are looked up by position): PostgreSQL
     * estimates an `unnest` of a parameter at 10 rows, a JSON array at 100, and with 100 a cached
     * plan would rather hash a sequential scan of `executions` than probe its primary key. The two
     * arrays are parsed once, in `p`: under a generic plan a cast of a parameter in `u`'s select
     * list is evaluated per row, which parsed the whole array once for every row of the batch.
     */
    update: `WITH p AS MATERIALIZED (SELECT $3::jsonb AS c, $4::jsonb AS s), u AS (
        SELECT u.id, u.epoch, p.c -> (u.n::int - 1) AS c, p.s -> (u.n::int - 1) AS s
        FROM unnest($1::text[], $2::int8[]) WITH ORDINALITY AS u(id, epoch, n), p
      )${
        lockInIdOrder
          ? `, locked AS (
        SELECT x.id FROM ${executions} x WHERE x.id = ANY($1::text[]) ORDER BY x.id FOR UPDATE)`
          : ''
      }, done AS (
        UPDATE ${executions} e SET
          workflow_version = coalesce((u.c->>'workflowVersion')::int, e.workflow_version),
          status = coalesce(u.c->>'status', e.status),
          completed_at = CASE WHEN u.c ? 'completedAt' THEN (u.c->>'completedAt')::int8 ELSE e.completed_at END,
          owner = CASE WHEN u.c ? 'owner' THEN u.c->>'owner' ELSE e.owner END,
          lease_until = CASE WHEN u.c ? 'leaseUntil' THEN (u.c->>'leaseUntil')::int8 ELSE e.lease_until END,
          epoch = coalesce((u.c->>'epoch')::int8, e.epoch),
          cancel_requested = coalesce((u.c->>'cancelRequested')::bool, e.cancel_requested),
          compensated = coalesce((u.c->>'compensated')::bool, e.compensated),
          steps_run = coalesce((u.c->>'stepsRun')::int8, e.steps_run),
          steps_retried = coalesce((u.c->>'stepsRetried')::int8, e.steps_retried),
          state = CASE WHEN u.s = 'null'::jsonb THEN e.state ELSE e.state || u.s END
        FROM u${lockInIdOrder ? ' JOIN locked ON locked.id = u.id' : ''} WHERE e.id = u.id AND e.epoch = u.epoch
        RETURNING e.id
      ), new_steps AS (
        INSERT INTO ${steps} (execution_id, name, record)
        SELECT st.execution_id, st.name, st.record
        FROM ROWS FROM (unnest($5::text[]), unnest($6::text[]), json_array_elements($7::json))
          AS st(execution_id, name, record)
        JOIN done ON done.id = st.execution_id
        ON CONFLICT (execution_id, name) DO UPDATE SET record = excluded.record
      )
      SELECT u.id, EXISTS (SELECT 1 FROM ${executions} x WHERE x.id = u.id) AS found
      FROM u WHERE NOT EXISTS (SELECT 1 FROM done WHERE done.id = u.id)`,

    /**
     * With several write lanes (else null): $1 execution ids and $2 owners, whose rows (the
     * owners' unfinished ones) a batch of several row-locking statements locks first, all in id
     * order, so that lanes never wait for one another in a cycle (see `rowLocks` in `plan.ts`).
     */
    lockRows: lockInIdOrder
      ? `SELECT 1 FROM ${executions} WHERE id = ANY($1::text[]) OR (owner = ANY($2::text[]) AND ${UNFINISHED})
      ORDER BY id FOR UPDATE`
      : null,

    saveDefinition: `INSERT INTO ${s}.definitions (id, version, created_at, body) VALUES ($1, $2, $3, $4)
      ON CONFLICT (id, version) DO NOTHING`,
    allDefinitions: `SELECT * FROM ${s}.definitions ORDER BY id, version`,
    definitionsOf: `SELECT * FROM ${s}.definitions WHERE id = $1 AND version > $2 ORDER BY version`,
    idsByIdempotencyKey: `SELECT id, idempotency_key FROM ${executions} WHERE idempotency_key = ANY($1::text[])`,
    /**
     * $1 a probe id, $2 a key: a row that only tries to take the key (see `key-holder.ts`), rolled
     * back. Waits for a transaction that inserted the key and has not ended.
     */
    probeIdempotencyKey: `INSERT INTO ${executions} (id, workflow_id, workflow_version, status, created_at,
        idempotency_key, state) VALUES ($1, '', 0, 'probe', 0, $2, '{}')
      ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
    /** $1 the key, $2 the probe id (the probe's own row is not a holder). */
    holderOfIdempotencyKey: `SELECT id, workflow_id FROM ${executions} WHERE idempotency_key = $1 AND id <> $2`,

    getExecution: `${snapshot} WHERE e.id = $1`,
    getExecutions: `${snapshot} WHERE e.id = ANY($1::text[]) ORDER BY e.created_at, e.id`,
    /**
     * Newest first (oldest first with `after`); indexed by filter shape (see `FILTERS`); limit and
     * offset follow the filter.
     */
    list: FILTERS.map(
      // The page's rows are chosen first, then their inputs and steps read: with the snapshot's
      // subqueries on the outer level, the rows an OFFSET skips were built too (an offset of
      // 90,000 read 90,000 executions' steps: 1.9 s against 83 ms).
      ({ where, params, order }) =>
        `${snapshot.replace(
          `FROM ${executions} e`,
          `FROM (SELECT * FROM ${executions} e ${where} ORDER BY ${order} LIMIT $${params + 1} OFFSET $${params + 2}) e`,
        )} ORDER BY ${order}`,
    ),
    count: FILTERS.slice(0, 4).map(({ where }) => `SELECT count(*) AS n FROM ${executions} e ${where}`),
    listOwners: `SELECT DISTINCT owner FROM ${executions} WHERE ${UNFINISHED} AND owner IS NOT NULL ORDER BY owner`,
    countUnowned: `SELECT count(*) AS n FROM ${executions} WHERE ${UNFINISHED} AND owner IS NULL`,
    /** The server's clock now, in epoch milliseconds (with fractions). */
    serverTime: 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms',

    /**
     * $1 owner, $2 lease end, $3 now, $4 stale owners, $5 limit, $6..$9 skipped versions, $10 the
     * claimer's worker or null (and $11 ids for `claimAmong`).
     */
    claim: claim(''),
    claimAmong: claim('AND id = ANY($11::text[])'),
    /**
     * Renewals and releases lock the owner's rows in id order (the subquery), as batched updates
     * do, so a write lane updating some of them cannot deadlock with them.
     */
    // With one write lane, a row another session holds locked (an admin's transaction, another
    // node's slow write) is skipped, renewed at a later round, rather than stall this write, and
    // every write of the node queued behind it, until the lock goes. Until then nobody can claim it
    // either (claims skip locked rows); after, fencing refuses the writes of whichever node lost it.
    // With several lanes the node's own updates hold rows locked all the time: a renewal that
    // skipped them could let a busy execution's lease run out, so it waits (in id order).
    renewLeases: `UPDATE ${executions} e SET lease_until = $2 FROM (${ownedInIdOrder}${lockInIdOrder ? '' : ' SKIP LOCKED'}) o WHERE e.id = o.id RETURNING e.id`,
    releaseLeases: `UPDATE ${executions} e SET owner = NULL, lease_until = NULL FROM (${ownedInIdOrder}) o
      WHERE e.id = o.id`,
    /** $1 owner, $2 the ids to release. */
    releaseAmong: `UPDATE ${executions} e SET owner = NULL, lease_until = NULL FROM (
        SELECT id FROM ${executions} WHERE owner = $1 AND ${UNFINISHED} AND id = ANY($2::text[]) ORDER BY id FOR UPDATE
      ) o WHERE e.id = o.id`,
    /** $1 from, $2 the ids, $3 to, $4 the lease's end (`Store.handOver`): the pending ones handed over. */
    handOver: `UPDATE ${executions} e SET owner = $3, lease_until = $4, epoch = e.epoch + 1 FROM (
        SELECT id FROM ${executions} WHERE owner = $1 AND status = 'pending' AND id = ANY($2::text[]) ORDER BY id FOR UPDATE
      ) o WHERE e.id = o.id RETURNING e.id`,
    requestCancel: `UPDATE ${executions} e SET cancel_requested = e.cancel_requested OR e.${UNFINISHED}
      WHERE e.id = $1 RETURNING e.*, ${withInput}`,
    cancelRequests: `SELECT id FROM ${executions} WHERE owner = $1 AND cancel_requested AND ${UNFINISHED}
      ORDER BY created_at, id`,

    /** How many `purge` would delete with no limit, walking the same index (`orchestrator purge` without `--yes`). */
    countPurgeable: `SELECT count(*) AS n FROM ${executions} WHERE ${FINISHED} AND completed_at < $1`,
    /**
     * Retention, in one statement: deletes at most $2 finished executions that completed before $1,
     * oldest first, walking `executions_finished_completed` (finished rows only, by completion
     * time) from its old end: a batch reads only the rows it deletes, never the unfinished ones
     * nor those that completed later. Rows another purge holds are skipped. The executions, steps
     * and inputs are deleted by key (`= ANY(ARRAY(...))`: index probes, where a join may hash a
     * scan of the whole table). Adds their counts to `purged_counts` (in key order, so concurrent
     * purges do not deadlock) and returns how many it deleted.
     */
    purge: `WITH gone AS (
        DELETE FROM ${executions} e WHERE e.id = ANY(ARRAY(
          SELECT id FROM ${executions} WHERE ${FINISHED} AND completed_at < $1
          ORDER BY completed_at LIMIT $2 FOR UPDATE SKIP LOCKED))
        RETURNING e.id, e.workflow_id, coalesce(e.owner, '') AS owner, e.status, e.compensated, e.steps_run,
          e.steps_retried
      ), s AS (DELETE FROM ${steps} WHERE execution_id = ANY(ARRAY(SELECT id FROM gone))),
      i AS (DELETE FROM ${inputs} WHERE execution_id = ANY(ARRAY(SELECT id FROM gone))),
      sums AS (SELECT workflow_id, owner, status, count(*) AS n, count(*) FILTER (WHERE compensated) AS compensated,
          sum(steps_run) AS steps_run, sum(steps_retried) AS steps_retried FROM gone GROUP BY workflow_id, owner, status),
      up AS (INSERT INTO ${purged} AS p (workflow_id, owner, status, n, compensated, steps_run, steps_retried)
        SELECT * FROM sums ORDER BY workflow_id, owner, status
        ON CONFLICT (workflow_id, owner, status) DO UPDATE SET n = p.n + excluded.n,
          compensated = p.compensated + excluded.compensated, steps_run = p.steps_run + excluded.steps_run,
          steps_retried = p.steps_retried + excluded.steps_retried)
      SELECT coalesce(sum(n), 0) AS n FROM sums`,

    aggregate: aggregate(''),
    aggregateOf: aggregate('WHERE workflow_id = $1'),
    aggregateByWorkflow: aggregate('', 'workflow_id, '),
    aggregateByWorkflowExcept: aggregate('WHERE owner IS DISTINCT FROM $1', 'workflow_id, '),
    aggregateByWorkflowOf: aggregate('WHERE owner = $1', 'workflow_id, '),

    /** Cluster: the node registry ($1..$7 in column order), and the load of each owner. */
    upsertNode: `INSERT INTO ${nodes} (id, started_at, last_heartbeat, running, queued, capacity, info)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, last_heartbeat = excluded.last_heartbeat,
        running = excluded.running, queued = excluded.queued, capacity = excluded.capacity, info = excluded.info`,
    removeNode: `DELETE FROM ${nodes} WHERE id = $1`,
    allNodes: `SELECT * FROM ${nodes} ORDER BY started_at, id`,
    nodesSince: `SELECT * FROM ${nodes} WHERE last_heartbeat >= $1 ORDER BY started_at, id`,
    loadByOwner: `SELECT owner, count(*) AS n FROM ${executions} WHERE ${UNFINISHED} AND owner IS NOT NULL
      GROUP BY owner`,
    listOwned: `SELECT id FROM ${executions} WHERE owner = $1 AND ${UNFINISHED} ORDER BY created_at, id LIMIT $2`,
    ownedRecords: `SELECT e.*, ${withInput} FROM ${executions} e WHERE e.owner = $1 AND e.${UNFINISHED}
      ORDER BY e.created_at, e.id`,
  };
}
