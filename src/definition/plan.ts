/**
 * Compiles a validated definition into the {@link Plan} the engine runs: seconds become
 * milliseconds, retry policies get the config's defaults, jump targets become indexes and
 * expressions are compiled once (the canonical JSON that tells whether a redefinition changed
 * anything is in `canonical.ts`).
 * @module
 */
import { compileExpression } from './expression.js';
import { requiredFormat } from './format.js';
import type {
  ActionStepDefinition,
  Plan,
  PlanActionStep,
  PlanDefaults,
  PlanStep,
  RetryOptions,
  RetryPolicy,
  StepDefinition,
  WorkflowOptions,
} from './types.js';

/** Seconds before the first retry when a policy does not say. */
export const DEFAULT_INITIAL_DELAY = 1;

/** Multiplier between consecutive retry delays when a policy does not say. */
export const DEFAULT_BACKOFF_COEFFICIENT = 2;

/** The input of {@link compilePlan}: a definition that passed `validateDefinition`. */
export interface PlanSource {
  id: string;
  version: number;
  steps: StepDefinition[];
  options: WorkflowOptions;
}

/** Seconds → whole milliseconds, at least 1 so a tiny positive timeout never becomes "none". */
export function toMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}

/**
 * The retry policy of a step: `true` → the defaults (`maxAttempts` = `retryAttempts`,
 * 1 s initial delay, coefficient 2, `maxDelay` = `retryDelay`); an object merges over them;
 * `false` or absent → null. When a policy sets `initialDelay` above the default cap and no
 * `maxDelay`, the cap is raised to `initialDelay` so the first delay is what it asked for.
 */
export function compileRetry(
  retry: boolean | RetryOptions | undefined,
  defaults: PlanDefaults,
): RetryPolicy | null {
  if (retry === undefined || retry === false) return null;
  const options: RetryOptions = retry === true ? {} : retry;
  const initialDelayMs = toMs(options.initialDelay ?? DEFAULT_INITIAL_DELAY);
  let maxDelayMs = toMs(options.maxDelay ?? defaults.retryDelay);
  if (options.maxDelay === undefined && options.initialDelay !== undefined) {
    maxDelayMs = Math.max(maxDelayMs, initialDelayMs);
  }
  return {
    maxAttempts: options.maxAttempts ?? defaults.retryAttempts,
    initialDelayMs,
    backoffCoefficient: options.backoffCoefficient ?? DEFAULT_BACKOFF_COEFFICIENT,
    maxDelayMs,
    nonRetryable: [...(options.nonRetryable ?? [])],
  };
}

function compileAction(
  step: ActionStepDefinition,
  index: number,
  parent: string | null,
  defaults: PlanDefaults,
): PlanActionStep {
  return {
    kind: 'action',
    name: step.name,
    action: step.action ?? step.name,
    timeoutMs: step.timeout === undefined ? null : toMs(step.timeout),
    retry: compileRetry(step.retry, defaults),
    compensation: step.compensation ?? null,
    input: step.input === undefined ? null : compileExpression(step.input),
    index,
    parent,
  };
}

/**
 * Compiles a validated definition against the config's defaults.
 * @throws ExpressionError if an expression does not compile (a definition that passed
 *   `validateDefinition` always compiles), or Error on an unknown jump target.
 */
export function compilePlan(def: PlanSource, defaults: PlanDefaults): Plan {
  const indexOf = new Map<string, number>();
  def.steps.forEach((step, index) => {
    indexOf.set(step.name, index);
  });
  const target = (name: string | undefined): number | null => {
    if (name === undefined) return null;
    const index = indexOf.get(name);
    if (index === undefined) throw new Error(`Workflow '${def.id}': unknown jump target '${name}'`);
    return index;
  };

  const byName = new Map<string, PlanStep>();
  const steps = def.steps.map((step, index): PlanStep => {
    if (step.condition !== undefined) {
      return {
        kind: 'condition',
        name: step.name,
        condition: compileExpression(step.condition, 'boolean'),
        thenIndex: target(step.then),
        elseIndex: target(step.else),
        index,
        parent: null,
        compensation: null,
      };
    }
    if (step.parallel !== undefined) {
      const branches = step.parallel.map((branch) => compileAction(branch, index, step.name, defaults));
      for (const branch of branches) byName.set(branch.name, branch);
      return {
        kind: 'parallel',
        name: step.name,
        branches,
        timeoutMs: step.timeout === undefined ? null : toMs(step.timeout),
        compensation: step.compensation ?? null,
        index,
        parent: null,
      };
    }
    return compileAction(step, index, null, defaults);
  });
  for (const step of steps) byName.set(step.name, step);

  return {
    workflowId: def.id,
    version: def.version,
    steps,
    byName,
    timeoutMs: toMs(def.options.timeout ?? defaults.workflowTimeout),
    format: requiredFormat(def.steps, def.options),
  };
}
