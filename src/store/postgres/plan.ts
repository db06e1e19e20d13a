/**
 * How a flush turns the queued write operations (`operations.ts`) into statements.
 *
 * Creates and updates become set-based statements: between two other operations (claims, lease
 * renewals and releases, cancel requests, heartbeats, definitions: barriers, applied in call order
 * with respect to everything), all creates go into ONE statement and all updates into ONE
 * statement, creates first, unless an execution (or an idempotency key) appears more than once:
 * its later operation then goes into a later pair of statements ("wave"), so the operations of one
 * execution keep their call order. Operations inside one statement touch different rows, and
 * operations of different executions commit together, so no caller can observe the difference.
 * With several write lanes, a batch of several statements that lock rows takes those locks first,
 * all in one statement (see {@link rowLocks}).
 * @module
 */
import type pg from 'pg';
import { ConflictError, ExecutionNotFoundError, LeaseLostError } from '../../errors.js';
import { byCodeUnits } from '../../string-order.js';
import { failed, succeeded } from '../group-commit.js';
import type { CreateResult } from '../store.js';
import type { CreateOp, Op, Statement, UpdateOp } from './operations.js';
import { columnPatchJson, jsonbText, toExecution } from './rows.js';
import type { CreateResultRow, ExecutionRow, Sql, UpdateResultRow } from './statements.js';

/** Splits a batch into statements (see the module comment). */
export function planStatements(batch: readonly Op[], sql: Sql): Statement[] {
  const out: Statement[] = [];
  let segment: number[] = [];
  // With several lanes, the statements that lock rows of `executions` they did not create (see
  // `rowLocks`). The later waves of a segment lock only rows its first wave holds (or created):
  // one per segment. One lane counts nothing: it has no lock to take first.
  const lanes = sql.lockRows !== null;
  let locking = 0;
  for (let i = 0; i < batch.length; i++) {
    const op = batch[i]!;
    if (op.kind === 'create' || op.kind === 'update') {
      segment.push(i);
    } else {
      // Every other operation is a barrier: what came before it is applied before it.
      if (lanes && hasUpdate(batch, segment)) locking++;
      planWaves(batch, segment, sql, out);
      segment = [];
      if (lanes && locksRows(op)) locking++;
      out.push(singleStatement(op, i, sql));
    }
  }
  if (lanes && hasUpdate(batch, segment)) locking++;
  planWaves(batch, segment, sql, out);
  const lock = locking > 1 ? rowLocks(batch, sql) : null;
  return lock === null ? out : [{ query: lock, ops: [], outcomes: () => [] }, ...out];
}

/**
 * With several write lanes, the statement that locks, in id order and before anything else, every
 * row of `executions` a batch of several row-locking statements would wait for: the rows it
 * updates or cancels, releases by id, and those its renewals and releases take (the owner's
 * unfinished executions). Its statements then lock rows one by one in their own order (a cancel
 * request or a lease operation between updates, a claim before a renewal) without waiting, as the
 * rows are held already (claims skip rows other sessions hold; creates insert rows no other lane
 * writes): every lane waits for rows in the same order, in one statement, so none waits for
 * another in a cycle. Null with one lane (nothing to wait for in a cycle) and when no execution is
 * named. The caller decides whether the batch needs it (see `planStatements`, `batch-commit.ts`).
 */
export function rowLocks(batch: readonly Op[], sql: Sql): pg.QueryConfig | null {
  if (sql.lockRows === null) return null;
  const ids = new Set<string>();
  const owners = new Set<string>();
  for (const op of batch) {
    if (op.kind === 'update' || op.kind === 'cancel') ids.add(op.id);
    else if (op.kind === 'release' && op.ids) for (const id of op.ids) ids.add(id);
    else if (op.kind === 'handOver') for (const id of op.request.ids) ids.add(id);
    else if (op.kind === 'renew' || op.kind === 'release') owners.add(op.owner);
  }
  // A string PostgreSQL's text cannot hold names no row (and would fail the statement).
  const named = (list: Set<string>) => [...list].filter((key) => !key.includes('\u0000'));
  const values = [named(ids), named(owners)];
  if (values[0]!.length === 0 && values[1]!.length === 0) return null;
  return { name: 'orchestrator_lock_rows', text: sql.lockRows, values };
}

/** Whether `op` locks rows of `executions` that exist already (a claim: those it takes). */
export function locksRows(op: Op): boolean {
  return (
    op.kind !== 'create' && op.kind !== 'definition' && op.kind !== 'heartbeat' && op.kind !== 'removeNode'
  );
}

function hasUpdate(batch: readonly Op[], segment: number[]): boolean {
  return segment.some((index) => batch[index]!.kind === 'update');
}

/**
 * Creates and updates between two barriers, as few statements as order allows: an operation goes
 * to the wave after the one holding the previous operation of its execution (or, for a create,
 * of its idempotency key); each wave is one create statement then one update statement.
 */
function planWaves(batch: readonly Op[], segment: number[], sql: Sql, out: Statement[]): void {
  if (segment.length === 0) return;
  const creates: number[][] = [];
  const updates: number[][] = [];
  const waveOf = new Map<string, number>();
  for (const index of segment) {
    const op = batch[index] as CreateOp | UpdateOp;
    let wave = (waveOf.get(op.id) ?? -1) + 1;
    const key = op.kind === 'create' && op.key !== null ? `\u0000${op.key}` : null;
    if (key !== null) wave = Math.max(wave, (waveOf.get(key) ?? -1) + 1);
    waveOf.set(op.id, wave);
    if (key !== null) waveOf.set(key, wave);
    const waves = op.kind === 'create' ? creates : updates;
    const list = waves[wave];
    if (list) list.push(index);
    else waves[wave] = [index];
  }
  for (let wave = 0; wave < Math.max(creates.length, updates.length); wave++) {
    const c = creates[wave];
    const u = updates[wave];
    if (c) out.push(createStatement(batch, c, sql));
    if (u) out.push(updateStatement(batch, u, sql));
  }
}

/** One statement per operation (the isolated path of a batch that failed as a whole). */
export function singleStatements(batch: readonly Op[], sql: Sql): Statement[] {
  return batch.map((op, i) => {
    if (op.kind === 'create') return createStatement(batch, [i], sql);
    if (op.kind === 'update') return updateStatement(batch, [i], sql);
    return singleStatement(op, i, sql);
  });
}

function createStatement(batch: readonly Op[], run: number[], sql: Sql): Statement {
  const columns: unknown[][] = Array.from({ length: 14 }, () => []);
  const states: string[] = [];
  const inputs: string[] = [];
  const steps = newSteps();
  for (const index of run) {
    const op = batch[index] as CreateOp;
    const values = op.columns;
    for (let c = 0; c < 14; c++) columns[c]!.push(values[c]);
    states.push(values[14] as string);
    inputs.push(op.input);
    pushSteps(steps, op.id, op.steps);
  }
  return {
    query: {
      name: 'orchestrator_create',
      text: sql.create,
      values: [...columns, jsonArray(states), jsonArray(inputs), ...stepParams(steps)],
    },
    ops: run,
    outcomes: (result) => {
      // Only the executions NOT created come back.
      const rows = byId(result.rows as CreateResultRow[]);
      return run.map((index) => {
        const op = batch[index] as CreateOp;
        const row = rows.get(op.id);
        if (!row) return succeeded<CreateResult>({ id: op.id, created: true });
        if (row.existing) return succeeded<CreateResult>({ id: row.existing, created: false });
        // Taken by a transaction that committed after this statement's snapshot: look it up.
        if (op.key !== null) return { lookup: op.key };
        return failed(new ConflictError(`Execution '${op.id}' already exists`));
      });
    },
  };
}

function updateStatement(batch: readonly Op[], run: number[], sql: Sql): Statement {
  // Rows are listed in id order; with several lanes the statement also locks them in id order
  // before writing (see `buildSql`), as lease renewals and releases do: concurrent lanes never
  // wait on each other in a cycle.
  if (run.length > 1) run.sort((a, b) => byCodeUnits((batch[a] as UpdateOp).id, (batch[b] as UpdateOp).id));
  const ids: string[] = [];
  const epochs: number[] = [];
  const columns: string[] = [];
  const states: string[] = [];
  const steps = newSteps();
  for (const index of run) {
    const op = batch[index] as UpdateOp;
    ids.push(op.id);
    epochs.push(op.epoch);
    columns.push(columnPatchJson(op.columns));
    states.push(op.restJson === null ? 'null' : jsonbText(op.restJson));
    pushSteps(steps, op.id, op.steps);
  }
  return {
    query: {
      name: 'orchestrator_update',
      text: sql.update,
      values: [ids, epochs, jsonArray(columns), jsonArray(states), ...stepParams(steps)],
    },
    ops: run,
    outcomes: (result) => {
      // Only the executions NOT updated come back.
      const rows = byId(result.rows as UpdateResultRow[]);
      return run.map((index) => {
        const id = (batch[index] as UpdateOp).id;
        const row = rows.get(id);
        if (!row) return succeeded(undefined);
        return failed(row.found ? new LeaseLostError(id) : new ExecutionNotFoundError(id));
      });
    },
  };
}

function singleStatement(op: Exclude<Op, CreateOp | UpdateOp>, index: number, sql: Sql): Statement {
  const one = (query: pg.QueryConfig, value: (result: pg.QueryResult) => unknown): Statement => ({
    query,
    ops: [index],
    outcomes: (result) => [succeeded(value(result))],
  });
  switch (op.kind) {
    case 'definition':
      return one(
        { name: 'orchestrator_definition', text: sql.saveDefinition, values: op.params },
        // False: that version exists already (versions are never replaced).
        (result) => (result.rowCount ?? 0) > 0,
      );
    case 'claim': {
      const r = op.request;
      const skip = r.skip ?? [];
      const values: unknown[] = [
        r.owner,
        r.leaseUntil,
        r.now,
        r.staleOwners ?? [],
        Math.max(0, r.limit),
        skip.map((k) => k.workflowId),
        skip.map((k) => k.version),
        skip.map((k) => k.compensates),
        skip.map((k) => k.runs === true),
        r.worker ?? null,
      ];
      const query = r.ids
        ? { name: 'orchestrator_claim_among', text: sql.claimAmong, values: [...values, r.ids] }
        : { name: 'orchestrator_claim', text: sql.claim, values };
      return one(query, (result) =>
        (result.rows as ExecutionRow[]).map(toExecution).sort((a, b) =>
          // Oldest first, ties by id in code-point order (the "C" collation of the SQL side).
          a.createdAt !== b.createdAt ? a.createdAt - b.createdAt : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
        ),
      );
    }
    case 'renew':
      return one(
        { name: 'orchestrator_renew', text: sql.renewLeases, values: [op.owner, op.leaseUntil] },
        (result) => (result.rows as { id: string }[]).map((row) => row.id),
      );
    case 'handOver': {
      const { from, to, ids, leaseUntil } = op.request;
      return one(
        {
          name: 'orchestrator_hand_over',
          text: sql.handOver,
          // A string PostgreSQL's text cannot hold names no row (and would fail the statement).
          values: [from, ids.filter((id) => !id.includes('\u0000')), to, leaseUntil],
        },
        (result) => (result.rows as { id: string }[]).map((row) => row.id),
      );
    }
    case 'release':
      return one(
        op.ids
          ? { name: 'orchestrator_release_among', text: sql.releaseAmong, values: [op.owner, op.ids] }
          : { name: 'orchestrator_release', text: sql.releaseLeases, values: [op.owner] },
        () => undefined,
      );
    case 'cancel':
      return one({ name: 'orchestrator_cancel', text: sql.requestCancel, values: [op.id] }, (result) => {
        const row = result.rows[0] as ExecutionRow | undefined;
        return row ? toExecution(row) : null;
      });
    case 'heartbeat':
      return one(
        { name: 'orchestrator_heartbeat', text: sql.upsertNode, values: op.params },
        () => undefined,
      );
    case 'removeNode':
      return one(
        { name: 'orchestrator_remove_node', text: sql.removeNode, values: [op.id] },
        () => undefined,
      );
  }
}

/** Step rows of a statement: execution ids and names (text arrays), records (JSON texts). */
interface StepColumns {
  ids: string[];
  names: string[];
  records: string[];
}

function newSteps(): StepColumns {
  return { ids: [], names: [], records: [] };
}

function pushSteps(into: StepColumns, id: string, steps: Map<string, string>): void {
  for (const [name, json] of steps) {
    into.ids.push(id);
    into.names.push(name);
    into.records.push(json);
  }
}

/** The three step parameters of a create or update statement: execution ids, names, records. */
function stepParams(steps: StepColumns): unknown[] {
  return [steps.ids, steps.names, jsonArray(steps.records)];
}

/**
 * JSON texts as one JSON array, by joining them: no escaping (a text array parameter would
 * escape every quote of every element on the way out and unescape it on the server).
 */
function jsonArray(texts: string[]): string {
  return `[${texts.join(',')}]`;
}

function byId<T extends { id: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((row) => [row.id, row]));
}
