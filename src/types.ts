/**
 * The shapes the public API returns (SPEC §4): execution and step status.
 * @module
 */
import type { ErrorInfo } from './errors.js';

/** Every execution state, in life-cycle order (filters and metrics list them in this order). */
export const EXECUTION_STATES = [
  'pending',
  'running',
  'compensating',
  'completed',
  'failed',
  'cancelled',
] as const;

/** Life cycle of an execution. */
export type ExecutionState = (typeof EXECUTION_STATES)[number];

/** Terminal execution states. */
export const TERMINAL_STATES: ReadonlySet<ExecutionState> = new Set(['completed', 'failed', 'cancelled']);

/** Every step state. */
export const STEP_STATES = [
  'pending',
  'running',
  'waiting',
  'completed',
  'failed',
  'cancelled',
  'skipped',
] as const;

/**
 * Life cycle of a step. `pending`: not reached yet; `waiting`: a retry is scheduled; `skipped`:
 * never run, because a jump passed over it or the execution ended before reaching it.
 */
export type StepState = (typeof STEP_STATES)[number];

/** Compensation progress of one completed step. */
export interface CompensationStatus {
  status: 'running' | 'completed' | 'failed';
  attempts: number;
  startedAt?: Date;
  completedAt?: Date;
  error?: ErrorInfo;
  /** For a compensation waiting to retry (its last attempt failed): when its next attempt starts. */
  nextAttemptAt?: Date;
}

/** One run of a step handler, for timelines. */
export interface AttemptStatus {
  attempt: number;
  startedAt: Date;
  completedAt?: Date;
  durationMs?: number;
  error?: ErrorInfo;
  /** When the next attempt was scheduled, if this one failed and is retried. */
  retryAt?: Date;
}

/** Status of one step (or one branch of a parallel step). */
export interface StepStatus {
  name: string;
  status: StepState;
  attempts: number;
  startedAt?: Date;
  completedAt?: Date;
  durationMs?: number;
  output?: unknown;
  error?: ErrorInfo;
  /** The branch steps of a parallel step. */
  branches?: StepStatus[];
  /** For a conditional step: the branch it took. */
  decision?: 'then' | 'else';
  /** For a step waiting to retry: when the next attempt starts. */
  nextAttemptAt?: Date;
  /**
   * The attempts of the step's current visit, oldest first: the newest 50 of them (`attempts`
   * counts them all).
   */
  history?: AttemptStatus[];
  /** Compensation of this step, once it started (of its latest visit, when a jump ran it again). */
  compensation?: CompensationStatus;
  /**
   * When a jump ran the step more than once: the compensations of its earlier completed visits,
   * oldest first, once started (each compensated with that visit's output).
   */
  earlierCompensations?: (CompensationStatus & { visit: number })[];
}

/** Status of an execution, as `getExecutionStatus` returns it. */
export interface ExecutionStatus {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: ExecutionState;
  /** When the execution was accepted. */
  startedAt: Date;
  completedAt?: Date;
  /** Top-level steps that completed. */
  stepsCompleted: number;
  /** Top-level steps of the definition. */
  totalSteps: number;
  inputData: unknown;
  /** Output of each completed top-level step, by name. */
  outputData: Record<string, unknown>;
  steps: StepStatus[];
  error?: ErrorInfo;
  /** Steps compensated, in the order they were compensated. */
  compensatedSteps: string[];
  workerId?: string;
  idempotencyKey?: string;
}

/** Filter for `listExecutions`. */
export interface ListExecutionsOptions {
  status?: ExecutionState | undefined;
  workflowId?: string | undefined;
  /** @default 100 */
  limit?: number | undefined;
  /**
   * Skip this many (for pagination). Costs time in proportion to it, and skips or repeats
   * executions created or purged between pages: page with `before` instead. Only 0 with `before`
   * or `after` (a `ValidationError` names `offset` otherwise). @default 0
   */
  offset?: number | undefined;
  /**
   * Keyset paging: only executions listed after the execution of this id (created earlier, or in
   * the same millisecond with a lower id), newest first. Pass the id of the last execution of a
   * page to get the next: every execution comes once, whatever is created or purged meanwhile
   * (executions created after the first page come at the top of a new first page, not on later
   * pages). The execution need not exist any more: the place comes from the creation time its id
   * holds. Must be an id this engine made (`exec_` followed by 23 lowercase letters and digits, the
   * last 10 of them hexadecimal), else a
   * `ValidationError` names `before`. A page shorter than `limit` is the last one. Not with
   * `after` (a `ValidationError` names `after`).
   * @default none: from the newest
   */
  before?: string | undefined;
  /**
   * Keyset paging the other way: only executions listed before the execution of this id (created
   * later, or in the same millisecond with a higher id), and of them the `limit` nearest to it,
   * newest first. Pass the id of the first execution of a page to get the page before it (the
   * newer one); a page shorter than `limit` is the newest (and holds executions created since the
   * first page was read). Then page on with `before` from the last id of any page: the older pages
   * are always there. The execution need not exist any more; the id must be one this engine made,
   * else a `ValidationError` names `after`. Not with `before`. A custom store that ignores the
   * filter's `after` makes it an `OrchestratorError` `UNSUPPORTED`.
   * @default none
   */
  after?: string | undefined;
}

/** What a step handler receives besides its input. */
export interface StepContext {
  executionId: string;
  workflowId: string;
  stepName: string;
  /** 1 for the first run of this step, 2 for the first retry, ... */
  attempt: number;
  /** Aborts on cancellation and on timeout. */
  signal: AbortSignal;
  /**
   * Stable across attempts and restarts: `<executionId>:<stepName>` (`#<visit>` appended when a
   * jump revisits the step); a compensation gets the key of the visit it undoes with `:compensate`.
   */
  idempotencyKey: string;
  /** Outputs of completed steps, by name. */
  outputs: Readonly<Record<string, unknown>>;
  /**
   * When this attempt ends at the latest (milliseconds since the epoch): its step's timeout, or the
   * workflow's timeout or its parallel step's when that comes first. `undefined` when nothing
   * bounds it, as for a compensation `ErrorRecovery.compensate` runs itself (the key is there all
   * the same, like every field of the context).
   */
  deadline?: number;
}

/** A step action: returns (or resolves to) the step's output. */
export type ActionHandler = (input: unknown, ctx: StepContext) => unknown;

/** A compensation: undoes a completed step, given that step's output. */
export type CompensationHandler = (stepOutput: unknown, ctx: StepContext) => unknown;
