/**
 * The workflow definition format (SPEC §3) as users write it, and the compiled plan the
 * engine runs. Durations in definitions are seconds; the plan holds milliseconds.
 * @module
 */

/** Retry options of a step; every field falls back to the orchestrator's config. */
export interface RetryOptions {
  /** Retries after the first run (so `3` allows 4 runs). @default config `retryAttempts` */
  maxAttempts?: number | undefined;
  /** Seconds before the first retry. @default 1 */
  initialDelay?: number | undefined;
  /** Multiplier between consecutive delays. @default 2 */
  backoffCoefficient?: number | undefined;
  /** Cap on one delay, in seconds. @default config `retryDelay` */
  maxDelay?: number | undefined;
  /** Error names (or class names) or codes that are never retried. @default [] */
  nonRetryable?: readonly string[] | undefined;
}

/** A step that runs an action handler. */
export interface ActionStepDefinition {
  /** Unique in the workflow: `[A-Za-z0-9_.-]+`. */
  name: string;
  /** Handler name. @default the step's name */
  action?: string | undefined;
  /** Seconds one attempt may take. */
  timeout?: number | undefined;
  /** `true` for the default policy, or a policy. @default false (no retries) */
  retry?: boolean | RetryOptions | undefined;
  /** Compensation handler run if a later step fails. */
  compensation?: string | undefined;
  /** CEL expression for the step's input, e.g. `{'text': steps.stt.output.text}`. @default the workflow input */
  input?: string | undefined;
  /** Not on an action step (a step is exactly one kind): `defineWorkflow` refuses it. */
  condition?: undefined;
  /** Not on an action step. */
  then?: undefined;
  /** Not on an action step. */
  else?: undefined;
  /** Not on an action step (nor on a parallel step's branch: branches do not nest). */
  parallel?: undefined;
}

/** A step that evaluates a CEL condition and jumps. It runs no action. */
export interface ConditionStepDefinition {
  name: string;
  /** CEL expression over `result`, `input` and `steps` that must yield a boolean. */
  condition: string;
  /** Step to jump to when true; missing: continue with the next step. */
  then?: string | undefined;
  /** Step to jump to when false; missing: continue with the next step. */
  else?: string | undefined;
  /** Not on a conditional step (it runs no action): `defineWorkflow` refuses it. */
  action?: undefined;
  /** Not on a conditional step. */
  timeout?: undefined;
  /** Not on a conditional step. */
  retry?: undefined;
  /** Not on a conditional step. */
  compensation?: undefined;
  /** Not on a conditional step. */
  input?: undefined;
  /** Not on a conditional step. */
  parallel?: undefined;
}

/** A step whose branches run concurrently. Its output is keyed by branch name. */
export interface ParallelStepDefinition {
  name: string;
  parallel: readonly ActionStepDefinition[];
  /** Seconds the whole parallel step may take. */
  timeout?: number | undefined;
  compensation?: string | undefined;
  /** Not on a parallel step (its branches name theirs): `defineWorkflow` refuses it. */
  action?: undefined;
  /** Not on a parallel step (its branches may retry). */
  retry?: undefined;
  /** Not on a parallel step (its branches may take one). */
  input?: undefined;
  /** Not on a parallel step. */
  condition?: undefined;
  /** Not on a parallel step. */
  then?: undefined;
  /** Not on a parallel step. */
  else?: undefined;
}

/** One step of a workflow definition. */
export type StepDefinition = ActionStepDefinition | ConditionStepDefinition | ParallelStepDefinition;

/** Options of a workflow definition. */
export interface WorkflowOptions {
  /** Seconds from start to terminal state for this workflow. @default config `workflowTimeout` */
  timeout?: number | undefined;
  /** Free text shown in listings. */
  description?: string | undefined;
}

/** A stored, versioned workflow definition. */
export interface WorkflowDefinition {
  id: string;
  version: number;
  steps: StepDefinition[];
  options: WorkflowOptions;
  createdAt: Date;
}

/** A compiled retry policy (milliseconds). */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  backoffCoefficient: number;
  maxDelayMs: number;
  nonRetryable: string[];
}

/** Variables an expression sees. */
export interface ExpressionScope {
  /** The previous step's output. */
  result: unknown;
  /** The workflow input. */
  input: unknown;
  /** Outputs of completed steps: `steps.<name>.output`. */
  steps: Record<string, { output: unknown }>;
}

/** A CEL expression compiled once at definition time. */
export interface CompiledExpression {
  readonly source: string;
  /** Step names the expression reads by a literal name (`steps.stt`, `steps['stt']`), each once. */
  readonly stepRefs: readonly string[];
  /** Those of `stepRefs` the expression tests for (`has(steps.stt)`, `'stt' in steps`). */
  readonly testedStepRefs: readonly string[];
  /**
   * Why a new definition may not have this expression though a stored one still runs with it (a
   * map literal with a key the library leaves out or a key given twice, see `expression-map-keys.ts`), or null.
   */
  readonly newDefinitionProblem: string | null;
  /** Evaluates against the scope; returns plain JSON values (numbers, not BigInt). Throws on error. */
  evaluate(scope: ExpressionScope): unknown;
}

/** A compiled action step. */
export interface PlanActionStep {
  kind: 'action';
  name: string;
  action: string;
  timeoutMs: number | null;
  retry: RetryPolicy | null;
  compensation: string | null;
  input: CompiledExpression | null;
  /** Index among the top-level steps (for a branch: its parallel step's index). */
  index: number;
  /** Name of the parallel step this branch belongs to, else null. */
  parent: string | null;
}

/** A compiled conditional step; jump targets are top-level indexes. */
export interface PlanConditionStep {
  kind: 'condition';
  name: string;
  condition: CompiledExpression;
  thenIndex: number | null;
  elseIndex: number | null;
  index: number;
  parent: null;
  compensation: null;
}

/** A compiled parallel step. */
export interface PlanParallelStep {
  kind: 'parallel';
  name: string;
  branches: PlanActionStep[];
  timeoutMs: number | null;
  compensation: string | null;
  index: number;
  parent: null;
}

export type PlanStep = PlanActionStep | PlanConditionStep | PlanParallelStep;

/** What the engine runs: a definition compiled against the config's defaults. */
export interface Plan {
  workflowId: string;
  version: number;
  steps: PlanStep[];
  /** Every step and branch by name. */
  byName: Map<string, PlanStep>;
  /** Workflow timeout in ms. */
  timeoutMs: number;
  /** The definition format a node must read to run this version (see `format.ts`). */
  format: number;
}

/** Config values a plan is compiled against. */
export interface PlanDefaults {
  retryAttempts: number;
  /** Seconds. */
  retryDelay: number;
  /** Seconds. */
  workflowTimeout: number;
}
