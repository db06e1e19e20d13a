/**
 * The write operations of the SQLite store, as queued by group commit, and how each is applied
 * inside the shared transaction. Payloads are already JSON when an operation is queued.
 * @module
 */
import type Database from 'better-sqlite3';
import { ConflictError, ExecutionNotFoundError, LeaseLostError } from '../../errors.js';
import type { ClaimRequest, CreateResult, HandOverRequest, PurgeRequest } from '../store.js';
import {
  type ColumnPatch,
  needsFullUpdate,
  progressParams,
  replaceStateParams,
  toExecution,
  updateParams,
} from './rows.js';
import type { ExecutionRow, ExecutionRowWithInput, PurgeRow, Statements } from './statements.js';

/** A fenced update of one execution. */
export interface UpdateOp {
  kind: 'update';
  id: string;
  /** Epoch the writer holds. */
  epoch: number;
  columns: ColumnPatch;
  /** Fields of the `state` JSON to set. */
  rest: Record<string, unknown> | null;
  /** `rest` as JSON, while no merge changed it. */
  restJson: string | null;
  /** Step JSON by name (a later record of the same step replaces an earlier one). */
  steps: Map<string, string>;
}

/** A new execution (input and steps already JSON). */
export interface CreateOp {
  kind: 'create';
  id: string;
  key: string | null;
  params: unknown[];
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
  | { kind: 'release'; owner: string; ids?: readonly string[] }
  | { kind: 'handOver'; request: HandOverRequest }
  | { kind: 'cancel'; id: string }
  | { kind: 'heartbeat'; params: unknown[] }
  | { kind: 'removeNode'; id: string }
  | { kind: 'purge'; request: PurgeRequest };

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
  if (next.rest) {
    into.rest = Object.assign(into.rest ?? {}, next.rest);
    into.restJson = null;
  }
  for (const [name, json] of next.steps) into.steps.set(name, json);
  return true;
}

/** Applies one operation inside the open transaction and returns its result. */
export function applyOp(s: Statements, op: Op): unknown {
  switch (op.kind) {
    case 'update':
      applyUpdate(s, op);
      return undefined;
    case 'create':
      return applyCreate(s, op);
    case 'definition':
      // False: that version exists already (versions are never replaced).
      return s.saveDefinition.run(...op.params).changes > 0;
    case 'claim': {
      const r = op.request;
      const params = {
        owner: r.owner,
        leaseUntil: r.leaseUntil,
        now: r.now,
        stale: JSON.stringify(r.staleOwners ?? []),
        skip: JSON.stringify(
          (r.skip ?? []).map((k) => [k.workflowId, k.version, k.compensates, k.runs === true]),
        ),
        limit: Math.max(0, r.limit),
        worker: r.worker ?? null,
      };
      const ids = (
        r.ids ? s.claimAmong.all({ ...params, ids: JSON.stringify(r.ids) }) : s.claim.all(params)
      ) as string[];
      if (ids.length === 0) return [];
      return (s.byIdsOldestFirst.all(JSON.stringify(ids)) as ExecutionRowWithInput[]).map(toExecution);
    }
    case 'renew':
      return s.renewLeases.all(op.leaseUntil, op.owner) as string[];
    case 'release':
      if (op.ids) s.releaseAmong.run(op.owner, JSON.stringify(op.ids));
      else s.releaseLeases.run(op.owner);
      return undefined;
    case 'handOver': {
      const { from, to, ids, leaseUntil } = op.request;
      return s.handOver.all({ from, to, leaseUntil, ids: JSON.stringify(ids) }) as string[];
    }
    case 'cancel': {
      s.requestCancel.run(op.id);
      const row = s.getExecution.get(op.id) as ExecutionRowWithInput | undefined;
      return row ? toExecution(row) : null;
    }
    case 'heartbeat':
      s.upsertNode.run(...op.params);
      return undefined;
    case 'removeNode':
      s.removeNode.run(op.id);
      return undefined;
    case 'purge':
      return applyPurge(s, op.request);
  }
}

/** The fenced update: nothing is written unless the row still holds the writer's epoch. */
function applyUpdate(s: Statements, op: UpdateOp): void {
  const fast = replaceStateParams(op.columns, op.rest, op.restJson);
  if (fast) {
    if (s[fast.statement].run(...fast.params, op.id, op.epoch).changes === 1) {
      for (const [name, json] of op.steps) s.upsertStep.run(op.id, name, json);
      return;
    }
    if (!s.rowForUpdate.get(op.id)) throw new ExecutionNotFoundError(op.id);
    throw new LeaseLostError(op.id);
  }
  const row = s.rowForUpdate.get(op.id) as ExecutionRow | undefined;
  if (!row) throw new ExecutionNotFoundError(op.id);
  if (row.epoch !== op.epoch) throw new LeaseLostError(op.id);
  if (op.rest || hasKeys(op.columns)) {
    const result = needsFullUpdate(row, op.columns)
      ? s.updateExecution.run(...updateParams(row, op.columns, op.rest), op.id, op.epoch)
      : s.updateProgress.run(...progressParams(row, op.columns, op.rest), op.id, op.epoch);
    if (result.changes !== 1) throw new LeaseLostError(op.id);
  }
  for (const [name, json] of op.steps) s.upsertStep.run(op.id, name, json);
}

/** Deletes a batch of finished executions, adding their counts to `purged_counts`. */
function applyPurge(s: Statements, request: PurgeRequest): number {
  const rows = s.purgeCandidates.all({
    before: request.before,
    limit: Math.max(0, request.limit),
  }) as PurgeRow[];
  for (const row of rows) {
    s.deleteSteps.run(row.id);
    s.deleteInput.run(row.id);
    s.deleteExecution.run(row.id);
    s.addPurged.run(
      row.workflow_id,
      row.owner,
      row.status,
      row.compensated,
      row.steps_run,
      row.steps_retried,
    );
  }
  return rows.length;
}

/** Inserts the execution unless its idempotency key is taken (then returns the holder's id). */
function applyCreate(s: Statements, op: CreateOp): CreateResult {
  let result: Database.RunResult;
  try {
    result = s.insertExecution.run(...op.params);
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new ConflictError(`Execution '${op.id}' already exists`);
    }
    throw error;
  }
  if (result.changes === 0) return { id: s.idByIdempotencyKey.get(op.key) as string, created: false };
  s.insertInput.run(op.id, op.input);
  for (const [name, json] of op.steps) s.upsertStep.run(op.id, name, json);
  return { id: op.id, created: true };
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}
