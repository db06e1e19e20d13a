/**
 * The write operations of the PostgreSQL store, as queued by group commit, and how a flush turns
 * them into statements.
 *
 * Operations run in call order. A run of consecutive creates (distinct ids and idempotency keys)
 * or of consecutive updates (distinct executions) becomes ONE set-based statement; every other
 * operation is a statement of its own. Operations inside one statement touch different rows, so
 * running them together cannot reorder anything a caller could observe.
 * @module
 */
import type pg from 'pg';
import { ConflictError, ExecutionNotFoundError, LeaseLostError } from '../../errors.js';
import { failed, type Outcome, succeeded } from '../group-commit.js';
import type { ClaimRequest, CreateResult, StepRecord } from '../store.js';
import { type ColumnPatch, columnPatchJson, statePatchJson, toExecution, toJson } from './rows.js';
import type { CreateResultRow, ExecutionRow, Sql, UpdateResultRow } from './statements.js';

/** A fenced update of one execution. */
export interface UpdateOp {
  kind: 'update';
  id: string;
  /** Epoch the writer holds. */
  epoch: number;
  columns: ColumnPatch;
  /** Fields of the `state` JSON to set. */
  rest: Record<string, unknown> | null;
  /** Step JSON by name (a later record of the same step replaces an earlier one). */
  steps: Map<string, string>;
}

/** A new execution (columns, input and steps already serialized). */
export interface CreateOp {
  kind: 'create';
  id: string;
  key: string | null;
  /** Values of the create statement's column arrays $1..$15. */
  columns: unknown[];
  input: string;
  steps: Map<string, string>;
}

/** Any write of the store. */
export type Op =
  | UpdateOp
  | CreateOp
  | { kind: 'definition'; params: unknown[] }
  | { kind: 'claim'; request: ClaimRequest }
  | { kind: 'renew'; owner: string; leaseUntil: number }
  | { kind: 'release'; owner: string }
  | { kind: 'cancel'; id: string }
  | { kind: 'heartbeat'; params: unknown[] }
  | { kind: 'removeNode'; id: string };

/** A create that found its idempotency key taken by a row its statement could not see yet. */
export interface KeyLookup {
  lookup: string;
}

/** One statement of a flush: the operations it carries and how its result maps to outcomes. */
export interface Statement {
  query: pg.QueryConfig;
  /** Indexes of the operations in the batch. */
  ops: number[];
  /** One outcome (or key lookup) per operation, from the statement's result. */
  outcomes(result: pg.QueryResult): (Outcome | KeyLookup)[];
}

/** Step records as JSON by name; a value JSON cannot encode throws a `ValidationError`. */
export function stepJson(executionId: string, steps: StepRecord[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (steps) for (const step of steps) out.set(step.name, toJson(step, executionId, `steps.${step.name}`));
  return out;
}

/** Group-commit key: writes of one execution may merge; every other write is a barrier. */
export function opKey(op: Op): string | undefined {
  return op.kind === 'update' || op.kind === 'create' ? op.id : undefined;
}

/**
 * Merges update `next` into the queued update `into` of the same execution when both hold the
 * same epoch (and `into` does not move the epoch): patches in order, step records by name.
 */
export function mergeOps(into: Op, next: Op): boolean {
  if (into.kind !== 'update' || next.kind !== 'update') return false;
  if (into.epoch !== next.epoch || into.columns.epoch !== undefined) return false;
  Object.assign(into.columns, next.columns);
  if (next.rest) into.rest = Object.assign(into.rest ?? {}, next.rest);
  for (const [name, json] of next.steps) into.steps.set(name, json);
  return true;
}

/** Splits a batch into statements, in order (see the module comment). */
export function planStatements(batch: readonly Op[], sql: Sql): Statement[] {
  const out: Statement[] = [];
  let i = 0;
  while (i < batch.length) {
    const op = batch[i]!;
    if (op.kind === 'create' || op.kind === 'update') {
      const run: number[] = [];
      const taken = new Set<string>();
      for (; i < batch.length; i++) {
        const next = batch[i]!;
        if (next.kind !== op.kind || taken.has(next.id)) break;
        if (next.kind === 'create' && next.key !== null) {
          if (taken.has(`\u0000${next.key}`)) break;
          taken.add(`\u0000${next.key}`);
        }
        taken.add(next.id);
        run.push(i);
      }
      out.push(op.kind === 'create' ? createStatement(batch, run, sql) : updateStatement(batch, run, sql));
    } else {
      out.push(singleStatement(op, i, sql));
      i++;
    }
  }
  return out;
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
  const columns: unknown[][] = Array.from({ length: 16 }, () => []);
  const steps: [string[], string[], string[]] = [[], [], []];
  for (const index of run) {
    const op = batch[index] as CreateOp;
    for (const [c, value] of op.columns.entries()) columns[c]!.push(value);
    columns[15]!.push(op.input);
    pushSteps(steps, op.id, op.steps);
  }
  return {
    query: { name: 'orchestrator_create', text: sql.create, values: [...columns, ...steps] },
    ops: run,
    outcomes: (result) => {
      const rows = byId(result.rows as CreateResultRow[]);
      return run.map((index) => {
        const op = batch[index] as CreateOp;
        const row = rows.get(op.id);
        if (row?.created) return succeeded<CreateResult>({ id: op.id, created: true });
        if (row?.existing) return succeeded<CreateResult>({ id: row.existing, created: false });
        // Taken by a transaction that committed after this statement's snapshot: look it up.
        if (op.key !== null) return { lookup: op.key };
        return failed(new ConflictError(`Execution '${op.id}' already exists`));
      });
    },
  };
}

function updateStatement(batch: readonly Op[], run: number[], sql: Sql): Statement {
  const ids: string[] = [];
  const epochs: number[] = [];
  const columns: string[] = [];
  const states: (string | null)[] = [];
  const steps: [string[], string[], string[]] = [[], [], []];
  for (const index of run) {
    const op = batch[index] as UpdateOp;
    ids.push(op.id);
    epochs.push(op.epoch);
    columns.push(columnPatchJson(op.columns));
    states.push(statePatchJson(op.rest));
    pushSteps(steps, op.id, op.steps);
  }
  return {
    query: {
      name: 'orchestrator_update',
      text: sql.update,
      values: [ids, epochs, columns, states, ...steps],
    },
    ops: run,
    outcomes: (result) => {
      const rows = byId(result.rows as UpdateResultRow[]);
      return run.map((index) => {
        const id = (batch[index] as UpdateOp).id;
        const row = rows.get(id);
        if (row?.ok) return succeeded(undefined);
        return failed(row?.found ? new LeaseLostError(id) : new ExecutionNotFoundError(id));
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
        () => undefined,
      );
    case 'claim': {
      const r = op.request;
      const values: unknown[] = [r.owner, r.leaseUntil, r.now, r.staleOwners ?? [], Math.max(0, r.limit)];
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
        (result) => result.rowCount ?? 0,
      );
    case 'release':
      return one(
        { name: 'orchestrator_release', text: sql.releaseLeases, values: [op.owner] },
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

function pushSteps(into: [string[], string[], string[]], id: string, steps: Map<string, string>): void {
  for (const [name, json] of steps) {
    into[0].push(id);
    into[1].push(name);
    into[2].push(json);
  }
}

function byId<T extends { id: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((row) => [row.id, row]));
}

/** Whether a flush must wake listeners: new executions, or leases given up. */
export function wakesWorkers(batch: readonly Op[]): boolean {
  return batch.some((op) => op.kind === 'create' || op.kind === 'release');
}
