/**
 * Mapping between store records and PostgreSQL rows.
 *
 * As in the SQLite adapter, an execution keeps its filtered/sorted/aggregated/fenced fields in
 * real columns and every other field (including fields added to `ExecutionRecord` later) in the
 * `state` JSONB object, so extending the record needs no migration. Payloads are serialized before
 * a transaction starts, so a value JSON cannot encode fails only the write that carries it.
 *
 * JSONB cannot hold U+0000 nor a lone UTF-16 surrogate (half of an emoji cut off): in `state` and
 * in column patches (engine-made strings such as error messages) either is stored as U+FFFD.
 * Input, step records and definitions are `json` and keep them.
 * @module
 */
import type { ExecutionState } from '../../types.js';
import {
  type ColumnPatch,
  FIXED_FIELDS,
  COLUMN_FIELDS as PATCHABLE_COLUMNS,
  stateJson,
} from '../record-codec.js';
import type { DefinitionRecord, ExecutionRecord, NodeRecord, StepRecord } from '../store.js';
import type { DefinitionRow, ExecutionRow, NodeRow, SnapshotRow } from './statements.js';

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

/** Record fields with a column of their own: the patchable ones and those written once. */
const COLUMN_FIELDS: ReadonlySet<string> = new Set([...PATCHABLE_COLUMNS, ...FIXED_FIELDS]);

/**
 * Escapes JSONB refuses, when not themselves escaped backslashes: `\u0000`, and a lone UTF-16
 * surrogate (`JSON.stringify` writes one as `\udXXX`; a paired one it writes as the character).
 */
const REFUSED_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/** JSON text JSONB accepts: escaped NULs and lone surrogates become U+FFFD (see the module comment). */
export function jsonbText(json: string): string {
  return json.includes('\\u') ? json.replace(REFUSED_ESCAPE, '$1\\ufffd') : json;
}

/** JSONB text of the column fields of an update. */
export function columnPatchJson(columns: ColumnPatch): string {
  return jsonbText(JSON.stringify(columns));
}

/**
 * The column values of a new execution, in the order of the create statement's arrays $1..$15
 * (`state` as JSONB text). Throws a `ValidationError` naming the field JSON cannot encode.
 */
export function createColumns(record: ExecutionRecord): unknown[] {
  const rest: Record<string, unknown> = {};
  for (const key in record) {
    if (!COLUMN_FIELDS.has(key)) rest[key] = (record as unknown as Record<string, unknown>)[key];
  }
  const state = stateJson(rest, record.id);
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
    record.cancelRequested === true,
    record.compensated === true,
    record.stepsRun ?? 0,
    record.stepsRetried ?? 0,
    jsonbText(state),
  ];
}

/** The record a row holds. */
export function toExecution(row: ExecutionRow): ExecutionRecord {
  return {
    ...(row.state as unknown as ExecutionRecord),
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    status: row.status as ExecutionState,
    input: row.input ?? null,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    idempotencyKey: row.idempotency_key,
    owner: row.owner,
    leaseUntil: row.lease_until,
    epoch: row.epoch,
    cancelRequested: row.cancel_requested,
    compensated: row.compensated,
    stepsRun: row.steps_run,
    stepsRetried: row.steps_retried,
  };
}

/** The step records of a snapshot row (a missing output, i.e. undefined, reads as null). */
export function toSteps(row: SnapshotRow): StepRecord[] {
  return row.steps.map(([name, json]) => {
    const record = json as unknown as StepRecord;
    record.executionId = row.id;
    record.name = name;
    if (record.output === undefined) record.output = null;
    return record;
  });
}

/** The definition record a row holds. */
export function toDefinition(row: DefinitionRow): DefinitionRecord {
  return {
    ...(row.body as unknown as DefinitionRecord),
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
    info: row.info,
  };
}
