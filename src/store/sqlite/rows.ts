/**
 * Mapping between store records and SQLite rows, and the JSON encoding of payloads.
 *
 * An execution keeps its filtered/sorted/aggregated fields in real columns; every other field
 * (including fields added to `ExecutionRecord` later) goes into the `state` JSON object, so
 * extending the record needs no migration. Payloads are serialized before a transaction starts,
 * so a value JSON cannot encode (a BigInt, a cycle) fails only the write that carries it.
 * @module
 */

import type { ExecutionState } from '../../types.js';
import { COLUMN_FIELDS, type ColumnPatch, FIXED_FIELDS, STATE_FIELDS, stateJson } from '../record-codec.js';
import type { DefinitionRecord, ExecutionRecord, NodeRecord, StepRecord } from '../store.js';
import { LOCK_RUN_KEY } from './node-locks.js';
import type { DefinitionRow, ExecutionRow, ExecutionRowWithInput, NodeRow, StepRow } from './statements.js';

export {
  type ColumnPatch,
  definitionParams,
  nodeParams,
  splitPatch,
  stepJson,
  toAggregates,
  toAggregatesByWorkflow,
  toJson,
  toOwnerLoad,
} from '../record-codec.js';

/**
 * The statement and parameters of an update that can skip reading the row (it sets every
 * `state` field and no lease column: owner, lease, epoch, cancel flag); else null.
 */
export function replaceStateParams(
  columns: ColumnPatch,
  rest: Record<string, unknown> | null,
  restJson: string | null,
): { statement: 'replaceState' | 'replaceProgress'; params: unknown[] } | null {
  if (!rest) return null;
  if (
    columns.owner !== undefined ||
    columns.leaseUntil !== undefined ||
    columns.epoch !== undefined ||
    columns.cancelRequested !== undefined
  ) {
    return null;
  }
  for (const field of STATE_FIELDS) if (!(field in rest)) return null;
  const progress = [
    columns.completedAt === undefined ? 0 : 1,
    columns.completedAt ?? null,
    columns.compensated === undefined ? null : columns.compensated ? 1 : 0,
    columns.stepsRun ?? null,
    columns.stepsRetried ?? null,
    restJson ?? JSON.stringify(rest),
  ];
  // Without a status or version change no indexed column is written, so no index entry is
  // rewritten (about 3 µs of each such update).
  if (columns.status === undefined && columns.workflowVersion === undefined) {
    return { statement: 'replaceProgress', params: progress };
  }
  return {
    statement: 'replaceState',
    params: [columns.workflowVersion ?? null, columns.status ?? null, ...progress],
  };
}

/** Parameters of `insertExecution` for a new execution, in column order. */
export function insertParams(record: ExecutionRecord): unknown[] {
  const rest: Record<string, unknown> = {};
  for (const key in record) {
    if (!COLUMN_FIELDS.has(key) && !FIXED_FIELDS.has(key))
      rest[key] = (record as unknown as Record<string, unknown>)[key];
  }
  return [
    record.id,
    record.workflowId,
    record.workflowVersion,
    record.status,
    record.createdAt,
    record.completedAt ?? null,
    record.idempotencyKey ?? null,
    record.owner ?? null,
    record.leaseUntil ?? null,
    record.epoch ?? 0,
    record.cancelRequested ? 1 : 0,
    record.compensated ? 1 : 0,
    record.stepsRun ?? 0,
    record.stepsRetried ?? 0,
    stateJson(rest, record.id),
  ];
}

function pick<T>(value: T | undefined, current: T): T {
  return value === undefined ? current : value;
}

/**
 * Whether an update must use `updateExecution` (it changes status, owner, lease, epoch, version or
 * the cancel flag) rather than the cheaper `updateProgress`, which leaves every indexed column alone.
 */
export function needsFullUpdate(row: ExecutionRow, columns: ColumnPatch): boolean {
  return (
    (columns.status !== undefined && columns.status !== row.status) ||
    (columns.owner !== undefined && columns.owner !== row.owner) ||
    (columns.leaseUntil !== undefined && columns.leaseUntil !== row.lease_until) ||
    (columns.epoch !== undefined && columns.epoch !== row.epoch) ||
    columns.workflowVersion !== undefined ||
    columns.cancelRequested !== undefined
  );
}

function flag(value: boolean | undefined, current: number): number {
  return value === undefined ? current : value ? 1 : 0;
}

/** Parameters of `updateProgress` (before `id` and `epoch`): `row` with the patch applied. */
export function progressParams(
  row: ExecutionRow,
  columns: ColumnPatch,
  rest: Record<string, unknown> | null,
): unknown[] {
  return [
    pick(columns.completedAt, row.completed_at),
    flag(columns.compensated, row.compensated),
    pick(columns.stepsRun, row.steps_run),
    pick(columns.stepsRetried, row.steps_retried),
    rest ? JSON.stringify(Object.assign(JSON.parse(row.state), rest)) : row.state,
  ];
}

/** Parameters of `updateExecution` (before `id` and `epoch`): `row` with the patch applied. */
export function updateParams(
  row: ExecutionRow,
  columns: ColumnPatch,
  rest: Record<string, unknown> | null,
): unknown[] {
  return [
    pick(columns.workflowVersion, row.workflow_version),
    pick(columns.status, row.status),
    pick(columns.owner, row.owner),
    pick(columns.leaseUntil, row.lease_until),
    pick(columns.epoch, row.epoch),
    flag(columns.cancelRequested, row.cancel_requested),
    ...progressParams(row, columns, rest),
  ];
}

/** The record a row holds. */
export function toExecution(row: ExecutionRowWithInput): ExecutionRecord {
  const state = JSON.parse(row.state) as Record<string, unknown>;
  return {
    ...(state as unknown as ExecutionRecord),
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    status: row.status as ExecutionState,
    input: row.input === null ? null : JSON.parse(row.input),
    createdAt: row.created_at,
    completedAt: row.completed_at,
    idempotencyKey: row.idempotency_key,
    owner: row.owner,
    leaseUntil: row.lease_until,
    epoch: row.epoch,
    cancelRequested: row.cancel_requested === 1,
    compensated: row.compensated === 1,
    stepsRun: row.steps_run,
    stepsRetried: row.steps_retried,
  };
}

/** The step record a row holds (a missing output, i.e. undefined, reads as null). */
export function toStep(row: StepRow): StepRecord {
  const record = JSON.parse(row.record) as StepRecord;
  record.executionId = row.execution_id;
  record.name = row.name;
  if (record.output === undefined) record.output = null;
  return record;
}

/** The definition record a row holds. */
export function toDefinition(row: DefinitionRow): DefinitionRecord {
  return {
    ...(JSON.parse(row.body) as DefinitionRecord),
    id: row.id,
    version: row.version,
    createdAt: row.created_at,
  };
}

/** The node record a row holds. */
export function toNode(row: NodeRow): NodeRecord {
  return {
    id: row.id,
    startedAt: row.started_at,
    lastHeartbeat: row.last_heartbeat,
    running: row.running,
    queued: row.queued,
    capacity: row.capacity,
    info: withoutLockRun(JSON.parse(row.info) as Record<string, unknown>),
  };
}

/** A row's `info` as its node gave it: the run of its lock the store adds (see `node-locks.ts`) is the store's own. */
function withoutLockRun(info: Record<string, unknown>): Record<string, unknown> {
  if (Object.hasOwn(info, LOCK_RUN_KEY)) delete info[LOCK_RUN_KEY];
  return info;
}
