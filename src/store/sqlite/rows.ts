/**
 * Mapping between store records and SQLite rows, and the JSON encoding of payloads.
 *
 * An execution keeps its filtered/sorted/aggregated fields in real columns; every other field
 * (including fields added to `ExecutionRecord` later) goes into the `state` JSON object, so
 * extending the record needs no migration. Payloads are serialized before a transaction starts,
 * so a value JSON cannot encode (a BigInt, a cycle) fails only the write that carries it.
 * @module
 */
import { ValidationError } from '../../errors.js';
import type { ExecutionState } from '../../types.js';
import { emptyStatusCounts } from '../states.js';
import type {
  DefinitionRecord,
  ExecutionPatch,
  ExecutionRecord,
  NodeRecord,
  StepRecord,
  StoreAggregates,
} from '../store.js';
import type {
  AggregateRow,
  DefinitionRow,
  ExecutionRow,
  ExecutionRowWithInput,
  NodeRow,
  OwnerLoadRow,
  StepRow,
} from './statements.js';

/** The fields an update may change that have their own column. */
export type ColumnPatch = Pick<
  ExecutionPatch,
  | 'workflowVersion'
  | 'status'
  | 'completedAt'
  | 'owner'
  | 'leaseUntil'
  | 'epoch'
  | 'cancelRequested'
  | 'compensated'
  | 'stepsRun'
  | 'stepsRetried'
>;

const COLUMN_FIELDS: ReadonlySet<string> = new Set<keyof ColumnPatch>([
  'workflowVersion',
  'status',
  'completedAt',
  'owner',
  'leaseUntil',
  'epoch',
  'cancelRequested',
  'compensated',
  'stepsRun',
  'stepsRetried',
]);

/** Fields kept in the `state` JSON column. */
export const STATE_FIELDS = [
  'error',
  'outcome',
  'startedAt',
  'workerId',
  'cursor',
  'transitions',
  'lastStep',
  'deadlineAt',
  'completionSeq',
  'compensatedSteps',
] as const satisfies readonly (keyof ExecutionRecord)[];

// Every field of an execution record is a column, written once, or in `state`: adding a field
// without classifying it here fails to compile (it would be dropped by `replaceState`).
type Unclassified = Exclude<
  keyof ExecutionRecord,
  | keyof ColumnPatch
  | 'id'
  | 'workflowId'
  | 'createdAt'
  | 'idempotencyKey'
  | 'input'
  | (typeof STATE_FIELDS)[number]
>;
const everyFieldClassified: [Unclassified] extends [never] ? true : never = true;
void everyFieldClassified;

/**
 * Parameters of `replaceState` when an update can skip reading the row: it sets every `state`
 * field and no lease column (owner, lease, epoch, cancel flag); else null.
 */
export function replaceStateParams(
  columns: ColumnPatch,
  rest: Record<string, unknown> | null,
  restJson: string | null,
): unknown[] | null {
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
  return [
    columns.workflowVersion ?? null,
    columns.status ?? null,
    columns.completedAt ?? null,
    columns.compensated === undefined ? null : columns.compensated ? 1 : 0,
    columns.stepsRun ?? null,
    columns.stepsRetried ?? null,
    restJson ?? JSON.stringify(rest),
  ];
}

/** Fields written once, at creation, outside `state`. */
const FIXED_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'workflowId',
  'createdAt',
  'idempotencyKey',
  'input',
]);

/** JSON text of `value`, or a `ValidationError` naming the record and where in it the value sits. */
export function toJson(
  value: unknown,
  id: string,
  path: string,
  kind: 'execution' | 'definition' | 'node' = 'execution',
): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(
      [{ path, message: `cannot be stored as JSON (${(error as Error).message})` }],
      `Cannot store ${kind} '${id}'`,
    );
  }
  // `undefined` (and functions, symbols) have no JSON form: stored as null.
  return json ?? 'null';
}

/** JSON of the `state` fields of `fields`, checking each field so an error names the bad one. */
function stateJson(fields: Record<string, unknown>, executionId: string): string {
  try {
    return JSON.stringify(fields);
  } catch {
    for (const key in fields) toJson(fields[key], executionId, key);
    return toJson(fields, executionId, 'execution');
  }
}

/** Splits a patch into column fields and `state` fields (undefined values are ignored). */
export function splitPatch(
  patch: ExecutionPatch,
  executionId: string,
): { columns: ColumnPatch; rest: Record<string, unknown> | null; restJson: string | null } {
  const columns: Record<string, unknown> = {};
  let rest: Record<string, unknown> | null = null;
  for (const key in patch) {
    const value = (patch as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (COLUMN_FIELDS.has(key)) columns[key] = value;
    else if (!FIXED_FIELDS.has(key)) {
      rest ??= {};
      rest[key] = value;
    }
  }
  return { columns: columns as ColumnPatch, rest, restJson: rest ? stateJson(rest, executionId) : null };
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

/** Parameters of `saveDefinition`. */
export function definitionParams(def: DefinitionRecord): unknown[] {
  const { id, version, createdAt, ...body } = def;
  return [id, version, createdAt, toJson(body, id, 'definition', 'definition')];
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

/** Aggregates from the per-status rows (states without executions count 0). */
export function toAggregates(rows: AggregateRow[]): StoreAggregates {
  const out: StoreAggregates = {
    byStatus: emptyStatusCounts(),
    compensated: 0,
    stepsRun: 0,
    stepsRetried: 0,
  };
  for (const row of rows) {
    if (row.status in out.byStatus) out.byStatus[row.status as ExecutionState] = row.n;
    out.compensated += row.compensated;
    out.stepsRun += row.steps_run;
    out.stepsRetried += row.steps_retried;
  }
  return out;
}

/** Parameters of `upsertNode`, in column order (`info` as JSON). */
export function nodeParams(node: NodeRecord): unknown[] {
  return [
    node.id,
    node.startedAt,
    node.lastHeartbeat,
    node.running,
    node.queued,
    node.capacity,
    toJson(node.info ?? {}, node.id, 'info', 'node'),
  ];
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
    info: JSON.parse(row.info) as Record<string, unknown>,
  };
}

/** Unfinished executions per owner, from the per-owner rows. */
export function toOwnerLoad(rows: OwnerLoadRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) out[row.owner] = row.n;
  return out;
}
