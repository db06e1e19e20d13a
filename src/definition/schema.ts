/**
 * Zod schemas of the workflow definition format (SPEC §3). Every object is strict, so an
 * unknown key (`retyr`) is an error. These check shapes only; `validate.ts` adds the checks
 * across steps (duplicate names, jump targets, expressions) and reports every problem at once.
 * @module
 */
import { z } from 'zod';
import { describeValue } from '../describe-value.js';
import { celLiteral } from './cel-literal.js';
import { MAX_SECONDS } from './max-seconds.js';
import { refusedCharacter } from './name-character.js';
import type {
  ActionStepDefinition,
  ConditionStepDefinition,
  ParallelStepDefinition,
  RetryOptions,
  StepDefinition,
  WorkflowOptions,
} from './types.js';

/** Longest name of a workflow, step, action or compensation. */
export const MAX_NAME_LENGTH = 128;

export { MAX_SECONDS };

/** Most top-level steps in a workflow, and most branches in one parallel step. */
export const MAX_STEPS = 1000;

/**
 * The most steps a definition holds in all, each branch of a parallel step counted: a definition
 * of 1,000 parallel steps of 1,000 branches (37 MB of JSON) took 8 s to define, 3.5 GB to run,
 * and 47 s to read one execution's status.
 */
export const MAX_TOTAL_STEPS = 10_000;

/**
 * Longest entry of `retry.nonRetryable` (an error code, name or class name), in characters: the
 * one text of a definition that had no limit (a 200 MB entry was stored).
 */
export const MAX_NON_RETRYABLE_LENGTH = 1024;

/** Longest expression source, in characters (the compiler enforces the same limit). */
export const MAX_EXPRESSION_SOURCE = 4096;

/** The characters allowed in names. */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** A check's error: "must <rule>, got <the value>". */
const must = (rule: string) => ({
  error: (issue: { input: unknown }) => `must ${rule}, got ${describeValue(issue.input)}`,
});

/** A length check's error: "must <rule>, got <the list's or text's length>" (never the text itself). */
const mustSize = (rule: string) => ({
  error: (issue: { input: unknown }) => {
    const { input } = issue;
    return `must ${rule}, got ${Array.isArray(input) || typeof input === 'string' ? input.length : describeValue(input)}`;
  },
});

const name = () =>
  z
    .string()
    .min(1, { error: 'must not be empty', abort: true })
    .max(MAX_NAME_LENGTH, mustSize(`be at most ${MAX_NAME_LENGTH} characters`))
    .regex(NAME_PATTERN, {
      error: (issue) =>
        `may contain only ASCII letters, digits, '_', '.' and '-', got ${describeValue(issue.input)}${
          typeof issue.input === 'string' ? refusedCharacter(issue.input) : ''
        }`,
    })
    // Names become object keys (outputs keyed by step or branch name); `__proto__` would set a prototype.
    .refine((value) => value !== '__proto__', { error: "'__proto__' is reserved" });

const seconds = () =>
  z
    .number()
    .positive({ error: (issue) => `must be a positive number of seconds, got ${String(issue.input)}` })
    .max(MAX_SECONDS, must(`be at most ${MAX_SECONDS} seconds`));

/** The message of an expression given as a JSON value (`"input": {"seconds": 1}`) rather than a string. */
function notAnExpression(issue: { input: unknown }): string | undefined {
  if (issue.input === undefined) return undefined; // left out: "is required"
  const cel = celLiteral(issue.input);
  const hint = cel === null ? '' : `: write it as the string ${JSON.stringify(cel)}`;
  return `must be a CEL expression in a string, got ${describeValue(issue.input)}${hint}`;
}

const expression = () =>
  z
    .string({ error: notAnExpression })
    .min(1, { error: 'must be a non-empty CEL expression' })
    .max(MAX_EXPRESSION_SOURCE, mustSize(`be at most ${MAX_EXPRESSION_SOURCE} characters`));

/**
 * A workflow id: `[A-Za-z0-9_.-]+`, 1 to 128 characters, other than `.` and `..`: it is a path
 * segment of the HTTP API (`/v1/workflows/:id`), and clients remove those as dot segments (even
 * percent-encoded), so such a workflow could never be read or run over HTTP.
 */
export const workflowIdSchema = name().refine((value) => value !== '.' && value !== '..', {
  error: (issue) => `'${String(issue.input)}' cannot be a workflow id (URLs drop it as a dot segment)`,
});

/** A step, action or compensation name: `[A-Za-z0-9_.-]+`, 1 to 128 characters. */
export const stepNameSchema = name();

/** Retry options; `maxDelay` below an explicit `initialDelay` is an error. */
export const retryOptionsSchema = z
  .strictObject({
    maxAttempts: z
      .number()
      .int({
        // zod's int() refuses a whole number past 2^53 - 1 too.
        error: (issue) =>
          Number.isInteger(issue.input)
            ? `must be at most ${Number.MAX_SAFE_INTEGER}, got ${String(issue.input)}`
            : `must be a whole number, got ${String(issue.input)}`,
      })
      .nonnegative(must('not be negative'))
      .optional(),
    initialDelay: seconds().optional(),
    // No message of its own: both limits say 'must be a number from 1 to 1000, got …'.
    backoffCoefficient: z.number().min(1).max(1000).optional(),
    maxDelay: seconds().optional(),
    nonRetryable: z
      .array(
        z
          .string()
          .min(1, { error: 'must not be empty' })
          .max(MAX_NON_RETRYABLE_LENGTH, mustSize(`be at most ${MAX_NON_RETRYABLE_LENGTH} characters`)),
      )
      .max(MAX_STEPS)
      .optional(),
  })
  .superRefine((retry, ctx) => {
    if (
      retry.initialDelay !== undefined &&
      retry.maxDelay !== undefined &&
      retry.maxDelay < retry.initialDelay
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxDelay'],
        message: `must not be less than initialDelay (${retry.maxDelay} < ${retry.initialDelay})`,
      });
    }
  }) satisfies z.ZodType<RetryOptions>;

/**
 * A step's `retry`: `true` (default policy), `false` (none) or retry options. (A zod union
 * hides the inner problems of a mistyped field, so `validate.ts` checks `retry` on its own.)
 */
export const retrySchema = z.union([z.boolean(), retryOptionsSchema], {
  error: 'must be true, false or an object of retry options',
});

/** A step that runs an action handler. */
export const actionStepSchema = z.strictObject({
  name: stepNameSchema,
  action: name().optional(),
  timeout: seconds().optional(),
  retry: retrySchema.optional(),
  compensation: name().optional(),
  input: expression().optional(),
}) satisfies z.ZodType<ActionStepDefinition>;

/** A step that evaluates a CEL condition and jumps. */
export const conditionStepSchema = z.strictObject({
  name: stepNameSchema,
  condition: expression(),
  // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
  then: name().optional(),
  else: name().optional(),
}) satisfies z.ZodType<ConditionStepDefinition>;

const parallelFields = {
  name: stepNameSchema,
  timeout: seconds().optional(),
  compensation: name().optional(),
};

/** A step whose branches (action steps only) run concurrently. */
export const parallelStepSchema = z.strictObject({
  ...parallelFields,
  parallel: z
    .array(actionStepSchema)
    .min(1, { error: 'must list at least one branch' })
    .max(MAX_STEPS, mustSize(`list at most ${MAX_STEPS} branches`)),
}) satisfies z.ZodType<ParallelStepDefinition>;

/**
 * A parallel step whose branches are left unchecked; `validate.ts` checks each branch on
 * its own to explain a condition or parallel branch better than a strict-key error would.
 * @internal
 */
export const parallelStepShellSchema = z.strictObject({
  ...parallelFields,
  parallel: z
    .array(z.unknown(), must('be an array of action steps'))
    .min(1, { error: 'must list at least one branch' })
    .max(MAX_STEPS, mustSize(`list at most ${MAX_STEPS} branches`)),
});

/** One step: exactly one of action, condition or parallel (strict keys make the kinds exclusive). */
export const stepDefinitionSchema = z.union([
  actionStepSchema,
  conditionStepSchema,
  parallelStepSchema,
]) satisfies z.ZodType<StepDefinition>;

/** Options of a workflow definition. */
export const workflowOptionsSchema = z.strictObject({
  timeout: seconds().optional(),
  description: z.string().max(10_000).optional(),
}) satisfies z.ZodType<WorkflowOptions>;

/** A whole definition `{ id, steps, options? }`, as the HTTP API accepts it. */
export const workflowDefinitionSchema = z.strictObject({
  id: workflowIdSchema,
  steps: z
    .array(stepDefinitionSchema)
    .min(1, { error: 'must list at least one step' })
    .max(MAX_STEPS, mustSize(`list at most ${MAX_STEPS} steps`)),
  options: workflowOptionsSchema.optional(),
});

/** JSON Schema (draft 2020-12) of `{ id, steps, options? }`, for the HTTP/OpenAPI layer. */
export function definitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(workflowDefinitionSchema) as Record<string, unknown>;
}
