/**
 * Zod schemas of the HTTP API: request bodies, query strings and the JSON shapes responses
 * take (dates as ISO 8601 strings). They drive validation, response serialization and the
 * generated OpenAPI document. Response objects are loose, so fields the engine adds later
 * pass through rather than break responses.
 * @module
 */
import { z } from 'zod';
import { refusedCharacter } from '../definition/name-character.js';
import {
  MAX_NAME_LENGTH,
  NAME_PATTERN,
  stepDefinitionSchema,
  workflowIdSchema,
  workflowOptionsSchema,
} from '../definition/schema.js';
import { describeValue } from '../describe-value.js';
import { EXECUTION_ID, EXECUTION_ID_SHAPE } from '../ids.js';
import { EXECUTION_STATES, STEP_STATES } from '../types.js';

const isoDate = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');
const count = z.number().int().nonnegative();

/** The error envelope of every failed request. */
export const errorEnvelopeSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: 'Error', description: 'Every error: a stable code and a message for people' });

/** The envelope of a definition body, checked before the engine validates the definition itself. */
export const definitionEnvelopeSchema = z.strictObject(
  {
    id: z.unknown().optional(),
    steps: z.unknown().optional(),
    options: z.unknown().optional(),
    // Ignored, as in a definition file: a file an editor checks against a JSON Schema can be sent as it is.
    $schema: z.unknown().optional(),
  },
  {
    // No body (or the JSON null, read as none) is left out, as every other route words it.
    error: (issue) =>
      issue.input === undefined
        ? 'is required (a JSON object { id, steps, options? })'
        : `expected a JSON object { id, steps, options? }, got ${describeValue(issue.input)}`,
  },
);

/** A stored definition. */
export const workflowSchema = z
  .looseObject({
    id: z.string(),
    version: z.number().int().positive(),
    steps: z.array(stepDefinitionSchema),
    options: workflowOptionsSchema,
    createdAt: isoDate,
  })
  .meta({ id: 'WorkflowDefinition' });

/** `{ input?, idempotencyKey? }`; an absent body means `{}`. */
export const executeBodySchema = z
  .strictObject({
    input: z.unknown().optional().describe('Workflow input (any JSON); defaults to {}'),
    idempotencyKey: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Same key → same execution id; the second request starts nothing'),
  })
  .optional();

/**
 * Headers of `POST /v1/workflows/:id/executions`: the key may come as the common
 * `Idempotency-Key` header instead of the body field (both given, they must agree).
 */
export const executeHeadersSchema = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(256)
    // Header bytes are read as Latin-1: a UTF-8 key would be stored as another (mojibake).
    .regex(/^[\x20-\x7e]*$/, {
      error: (issue) =>
        `must be printable ASCII characters (send any other key in the body field idempotencyKey), got ${describeValue(issue.input)}`,
    })
    .optional()
    .describe('Same as the body field idempotencyKey (both given, they must be equal)'),
});

const errorInfoSchema = z.looseObject({ code: z.string(), message: z.string(), step: z.string().optional() });

const attemptSchema = z.looseObject({
  attempt: z.number().int(),
  startedAt: isoDate,
  completedAt: isoDate.optional(),
  durationMs: z.number().optional(),
  error: errorInfoSchema.optional(),
  retryAt: isoDate.optional(),
});

/** A step's compensation (`StepStatus.compensation`). */
const compensationSchema = z.looseObject({
  status: z.enum(['running', 'completed', 'failed']),
  attempts: count,
  startedAt: isoDate.optional(),
  completedAt: isoDate.optional(),
  error: errorInfoSchema.optional(),
  nextAttemptAt: isoDate.optional(),
});

const stepFields = {
  name: z.string(),
  status: z.enum(STEP_STATES),
  attempts: count,
  startedAt: isoDate.optional(),
  completedAt: isoDate.optional(),
  durationMs: z.number().optional(),
  output: z.unknown().optional(),
  error: errorInfoSchema.optional(),
  decision: z.enum(['then', 'else']).optional(),
  nextAttemptAt: isoDate.optional(),
  history: z.array(attemptSchema).optional(),
  compensation: compensationSchema.optional(),
  earlierCompensations: z.array(compensationSchema.extend({ visit: count })).optional(),
};

const stepStatusSchema = z.looseObject({
  ...stepFields,
  branches: z.array(z.looseObject(stepFields)).optional(),
});

/** `ExecutionStatus` with ISO dates. */
export const executionStatusSchema = z
  .looseObject({
    id: z.string(),
    workflowId: z.string(),
    workflowVersion: z.number().int(),
    status: z.enum(EXECUTION_STATES),
    startedAt: isoDate,
    completedAt: isoDate.optional(),
    stepsCompleted: count,
    totalSteps: count,
    inputData: z.unknown(),
    outputData: z.record(z.string(), z.unknown()),
    steps: z.array(stepStatusSchema),
    error: errorInfoSchema.optional(),
    compensatedSteps: z.array(z.string()),
    workerId: z.string().optional(),
    idempotencyKey: z.string().optional(),
  })
  .meta({ id: 'ExecutionStatus' });

/**
 * A query parameter that may be left empty: `?status=` (as an HTML form sends an unset field)
 * reads as absent, so it means "no filter" or the default rather than a bad value. `meaning`
 * becomes the parameter's OpenAPI description, which says so (the schema describes a value
 * that is given).
 */
export function blankIsAbsent<T extends z.ZodType>(schema: T, meaning: string) {
  return z
    .preprocess((value) => (value === '' ? undefined : value), schema)
    .meta({ description: `${meaning}; an empty value counts as not given` });
}

/**
 * A count given in a query string: decimal digits only, then `schema` (a coerced number). `Number()`
 * alone would take `0x10` as 16, `1e3` as 1000 and ` ` as 0. Digits past the largest exact integer
 * are refused as sent: coerced first, they were rounded (`9007199254740993` read as
 * `…992`, an integer said not to be one) and failed several checks with one message each.
 */
export function decimalCount<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value === 'string' && !/^\d+$/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a whole number in decimal digits, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    if (typeof value === 'string' && !Number.isSafeInteger(Number(value))) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a whole number of at most ${Number.MAX_SAFE_INTEGER}, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    return value;
  }, schema);
}

/** A listing cursor in a query string: an execution id this engine makes. */
function executionCursor() {
  return z
    .string()
    .regex(EXECUTION_ID, {
      error: (issue) => `expected ${EXECUTION_ID_SHAPE}, got ${describeValue(String(issue.input))}`,
    })
    .optional();
}

/**
 * A workflow id in a query or path: the checks of the definition's `workflowIdSchema`, worded as
 * the HTTP API's other messages ('expected …, got …') rather than as a definition's ('must be …').
 */
export const requestWorkflowId = () => {
  const error = (issue: { input: unknown }) =>
    `expected a workflow id (1 to ${MAX_NAME_LENGTH} of ASCII letters, digits, '_', '.' and '-'; not '.', '..' or '__proto__'), got ${describeValue(issue.input)}${
      typeof issue.input === 'string' ? refusedCharacter(issue.input) : ''
    }`;
  return z
    .string({ error })
    .min(1, { error, abort: true })
    .max(MAX_NAME_LENGTH, { error, abort: true })
    .regex(NAME_PATTERN, { error, abort: true })
    .refine((value) => workflowIdSchema.safeParse(value).success, { error });
};

/** Query of `GET /v1/executions`; empty values mean "no filter" or the default. */
export const listExecutionsQuerySchema = z.strictObject({
  status: blankIsAbsent(z.enum(EXECUTION_STATES).optional(), 'Only executions in this state'),
  workflowId: blankIsAbsent(requestWorkflowId().optional(), 'Only executions of this workflow'),
  limit: blankIsAbsent(
    decimalCount(z.coerce.number().int().min(1).max(1000).default(50)),
    'Page size (default 50; a page of large executions ends earlier, see `cut`)',
  ),
  offset: blankIsAbsent(
    decimalCount(z.coerce.number().int().min(0).default(0)),
    'Executions to skip (default 0; only 0 with `before` or `after`)',
  ),
  before: blankIsAbsent(
    executionCursor(),
    'Cursor: only executions older than this one (the `nextBefore` of the previous page), newest first',
  ),
  after: blankIsAbsent(
    executionCursor(),
    'Cursor the other way: of the executions newer than this one, the `limit` nearest to it, newest first (the `prevAfter` of the page after); not with `before`',
  ),
});

/** Whether `value` is an object of numbers, as a load per worker is. */
const isLoadRecord = (value: unknown): value is Record<string, number> =>
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  Object.values(value).every((n) => typeof n === 'number');

/**
 * Active executions per worker (`{ workerId: count }`). Worker ids, and node ids in cluster mode,
 * are free text: a `z.record` copies the entries into a new object and leaves a `__proto__` key
 * out, so that worker was missing from the answer. This checks the loads and keeps the object as
 * it is; the document describes it as the record it is.
 */
const loadDistributionSchema = z
  .custom<Record<string, number>>(isLoadRecord, {
    error: 'Expected an object of active executions per worker',
  })
  .meta({
    type: 'object',
    propertyNames: { type: 'string' },
    additionalProperties: { type: 'number' },
  });

/** `MetricsSnapshot` (SPEC §5). */
export const metricsSnapshotSchema = z
  .looseObject({
    executions: z.looseObject({
      total: count,
      running: count,
      pending: count,
      compensating: count,
      completed: count,
      failed: count,
      cancelled: count,
    }),
    successRate: z.number(),
    avgExecutionMs: z.number(),
    p95ExecutionMs: z.number(),
    retryRate: z.number(),
    stepsRun: count.describe('steps run, what retryRate divides by (0: no step ran, nothing to rate)'),
    durationSample: count.describe(
      'executions avgExecutionMs and p95ExecutionMs are taken over: those this process ran (0: none, nothing to measure)',
    ),
    compensationRate: z.number(),
    loadDistribution: loadDistributionSchema,
  })
  .meta({ id: 'MetricsSnapshot' });

/**
 * One remote worker in `GET /v1/workers`. A closed object: only these fields are written, so
 * nothing the hub keeps besides (task ids, which complete a task with the worker id) can leak.
 */
export const remoteWorkerSummarySchema = z
  .object({
    id: z.string().describe('The `workerId` its registration answered'),
    name: z.string().optional().describe('The label it registered with, if any'),
    actions: z.array(z.string()).describe('The actions it serves'),
    heldTasks: count.describe(
      'Tasks leased to it now (one cancelled while leased included, until it heartbeats)',
    ),
    polling: count.describe('Its polls waiting for a task now'),
    registeredAt: isoDate,
    lastSeen: isoDate.describe('Its last request (a poll in progress counts as now)'),
  })
  .meta({ id: 'RemoteWorkerSummary' });

/** `GET /v1/workers`: load per worker, balance, the nodes running the engine, and remote workers. */
export const workersSchema = z.looseObject({
  workers: z.array(z.looseObject({ id: z.string(), active: count })),
  balanced: z.boolean(),
  threshold: z.number(),
  balanceScore: z.number(),
  nodes: z.array(z.looseObject({ id: z.string(), lastHeartbeat: isoDate, running: count, queued: count })),
  remoteWorkers: z
    .array(remoteWorkerSummarySchema)
    .describe(
      'Remote workers registered with this node (docs/remote-workers.md); empty when the app serves none (`remoteWorkers: false`)',
    ),
});

/** One alert. */
export const alertSchema = z.looseObject({
  type: z.enum(['execution_time', 'failure_rate', 'load_imbalance', 'compensation_failure']),
  severity: z.enum(['warning', 'critical']),
  message: z.string(),
  at: isoDate,
  workflowId: z.string().optional(),
  executionId: z.string().optional(),
  step: z.string().optional(),
  value: z.number().optional(),
  threshold: z.number().optional(),
});

/** Path parameter of workflow routes. */
export const workflowParamsSchema = z.object({ id: requestWorkflowId() });
/** Path parameter of execution routes. */
export const executionParamsSchema = z.object({ id: z.string().min(1).max(256) });

/**
 * Error responses a route that needs the token documents, by status: `statuses`, and 400 (an
 * `Authorization` header sent twice), 401, 500 and 503 (`CLOSED`: a request that arrives while
 * the app closes) on every one.
 */
export function errorResponses(...statuses: number[]): Record<number, typeof errorEnvelopeSchema> {
  const out: Record<number, typeof errorEnvelopeSchema> = {};
  for (const status of [...statuses, 400, 401, 500, 503]) out[status] = errorEnvelopeSchema;
  return out;
}
