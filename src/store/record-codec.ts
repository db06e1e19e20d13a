/**
 * What the SQL adapters share about records: which execution fields have a column, which are
 * written once and which live in the `state` JSON; the JSON encoding of payloads (a value JSON
 * cannot encode fails only the write that carries it, with the field named); and the shapes of
 * aggregate, load and node rows.
 * @module
 */
import { ValidationError } from '../errors.js';
import type { ExecutionState } from '../types.js';
import { emptyAggregates } from './states.js';
import type {
  DefinitionRecord,
  ExecutionPatch,
  ExecutionRecord,
  NodeRecord,
  StepRecord,
  StoreAggregates,
} from './store.js';

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

export const COLUMN_FIELDS: ReadonlySet<string> = new Set<keyof ColumnPatch>([
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

/** Fields written once, at creation, outside `state`. */
export const FIXED_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'workflowId',
  'createdAt',
  'idempotencyKey',
  'input',
]);

/** One row of the per-status aggregate query. */
export interface AggregateRow {
  status: string;
  n: number;
  compensated: number;
  steps_run: number;
  steps_retried: number;
}

/** One row of the per-owner load query. */
export interface OwnerLoadRow {
  owner: string;
  n: number;
}

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

/** Step records as JSON by name; a value JSON cannot encode throws a `ValidationError`. */
export function stepJson(executionId: string, steps: StepRecord[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (steps) for (const step of steps) out.set(step.name, toJson(step, executionId, `steps.${step.name}`));
  return out;
}

/** JSON of the `state` fields of `fields`, checking each field so an error names the bad one. */
export function stateJson(fields: Record<string, unknown>, executionId: string): string {
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

/** Parameters of `saveDefinition`. */
export function definitionParams(def: DefinitionRecord): unknown[] {
  const { id, version, createdAt, ...body } = def;
  return [id, version, createdAt, toJson(body, id, 'definition', 'definition')];
}

/** Aggregates from the per-status rows (states without executions count 0). */
export function toAggregates(rows: AggregateRow[]): StoreAggregates {
  const out = emptyAggregates();
  for (const row of rows) {
    if (row.status in out.byStatus) out.byStatus[row.status as ExecutionState] = row.n;
    out.compensated += row.compensated;
    out.stepsRun += row.steps_run;
    out.stepsRetried += row.steps_retried;
  }
  return out;
}

/** Per-workflow aggregates from per-workflow, per-status rows. */
export function toAggregatesByWorkflow(
  rows: (AggregateRow & { workflow_id: string })[],
): Map<string, StoreAggregates> {
  const grouped = new Map<string, AggregateRow[]>();
  for (const row of rows) {
    const list = grouped.get(row.workflow_id);
    if (list) list.push(row);
    else grouped.set(row.workflow_id, [row]);
  }
  return new Map([...grouped].map(([id, list]) => [id, toAggregates(list)]));
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

/**
 * Unfinished executions per owner, from the per-owner rows: an object without a prototype, so an
 * owner (a node id, free text) named `constructor` or `__proto__` is an entry like any other.
 */
export function toOwnerLoad(rows: OwnerLoadRow[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const row of rows) out[row.owner] = row.n;
  return out;
}
