/**
 * The write operations of the PostgreSQL store, as queued by group commit: what they carry, which
 * may merge, and which wake other nodes. How a flush turns them into statements is in `plan.ts`.
 * @module
 */
import type pg from 'pg';
import type { Outcome } from '../group-commit.js';
import type {
  ClaimRequest,
  CreatePlacement,
  ExecutionRecord,
  ExecutionUpdate,
  HandOverRequest,
  StepRecord,
} from '../store.js';
import { type ColumnPatch, createColumns, splitPatch, stepJson, toJson } from './rows.js';

/** A fenced update of one execution. */
export interface UpdateOp {
  kind: 'update';
  id: string;
  /** Epoch the writer holds. */
  epoch: number;
  columns: ColumnPatch;
  /**
   * The fields of the `state` JSON to set, as one JSON object serialized (and so checked) when the
   * update was queued; null when there are none. Merged updates concatenate their objects: a JSON
   * object with a key twice keeps the LAST value as jsonb (what `Object.assign` would do).
   */
  restJson: string | null;
  /** Step JSON by name (a later record of the same step replaces an earlier one). */
  steps: Map<string, string>;
}

/** A new execution (columns, input and steps already serialized). */
export interface CreateOp {
  kind: 'create';
  id: string;
  key: string | null;
  /** The node the execution is placed on. */
  owner: string | null;
  /**
   * Whether a notice wakes `owner` to start it: not when the node creating it placed it on itself
   * (`CreatePlacement.placedHere`), which starts it without one. An unowned create wakes every node
   * whatever this says (see `workNotice`).
   */
  wakeOwner: boolean;
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
  | { kind: 'release'; owner: string; ids?: readonly string[] }
  | { kind: 'handOver'; request: HandOverRequest }
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

/**
 * The create of `execution` (with `steps`), serialized now: a value JSON cannot encode throws a
 * `ValidationError` here, before anything is queued.
 */
export function createOp(
  execution: ExecutionRecord,
  steps: StepRecord[] | undefined,
  placement?: CreatePlacement,
): CreateOp {
  const { id } = execution;
  return {
    kind: 'create',
    id,
    key: execution.idempotencyKey ?? null,
    owner: execution.owner ?? null,
    wakeOwner: placement?.placedHere !== true,
    columns: createColumns(execution),
    input: toJson(execution.input, id, 'input'),
    steps: stepJson(id, steps),
  };
}

/** An update, split into columns and `state` fields and serialized now (as {@link createOp}). */
export function updateOp(update: ExecutionUpdate): UpdateOp {
  const { columns, restJson } = update.set
    ? splitPatch(update.set, update.id)
    : { columns: {}, restJson: null };
  const steps = stepJson(update.id, update.steps);
  return { kind: 'update', id: update.id, epoch: update.epoch, columns, restJson, steps };
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
  if (next.restJson !== null) {
    into.restJson =
      into.restJson === null ? next.restJson : `${into.restJson.slice(0, -1)},${next.restJson.slice(1)}`;
  }
  for (const [name, json] of next.steps) into.steps.set(name, json);
  return true;
}

/**
 * What a flush must tell listeners: leases given up, or an execution without an owner (`released`:
 * every node runs its whole round, which claims them), else the nodes new executions were placed
 * on by another node (`placed`: each starts its own), else nothing. A node that placed executions
 * on itself starts them without a notice, and the other nodes would only read it to ignore it.
 */
export function workNotice(
  batch: readonly Op[],
): { kind: 'released' } | { kind: 'placed'; owners: string[] } | null {
  const owners = new Set<string>();
  for (const op of batch) {
    if (op.kind === 'release' || (op.kind === 'create' && op.owner === null)) return { kind: 'released' };
    if (op.kind === 'create' && op.wakeOwner) owners.add(op.owner as string);
    // Handed over: its new owner starts it, as one placed on it.
    if (op.kind === 'handOver') owners.add(op.request.to);
  }
  return owners.size > 0 ? { kind: 'placed', owners: [...owners] } : null;
}
