/**
 * Reading a stored definition back: a version stored by a newer release may use keys (a step kind,
 * a step or retry option) or expressions (a new function) this release does not know. Compiled
 * as is, an unknown key was dropped (an unknown step kind ran as an action named after the step)
 * and an expression that does not compile failed the whole read (and `createOrchestrator` with
 * it). Such a version is unreadable here instead: kept, with what is wrong, never run.
 * @module
 */
import { compilePlan } from './plan.js';
import {
  actionStepSchema,
  conditionStepSchema,
  parallelStepSchema,
  retryOptionsSchema,
  workflowOptionsSchema,
} from './schema.js';
import type { Plan, PlanDefaults, StepDefinition, WorkflowOptions } from './types.js';

const ACTION_KEYS = new Set(Object.keys(actionStepSchema.shape));
const CONDITION_KEYS = new Set(Object.keys(conditionStepSchema.shape));
const PARALLEL_KEYS = new Set(Object.keys(parallelStepSchema.shape));
const RETRY_KEYS = new Set(Object.keys(retryOptionsSchema.shape));
const OPTION_KEYS = new Set(Object.keys(workflowOptionsSchema.shape));

/** A stored version as this release reads it: its plan, or why it cannot run it. */
export type StoredPlan = { plan: Plan; problem: null } | { plan: null; problem: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Paths of the keys of `value` not in `known` (`steps[0].foo`). */
function unknownIn(value: unknown, known: ReadonlySet<string>, path: string, out: string[]): void {
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) if (!known.has(key)) out.push(`${path}.${key}`);
}

function actionKeys(step: Record<string, unknown>, path: string, out: string[]): void {
  unknownIn(step, ACTION_KEYS, path, out);
  unknownIn(step.retry, RETRY_KEYS, `${path}.retry`, out);
}

/** The keys of a stored definition this release does not know, as paths. */
export function unknownKeys(steps: unknown, options: unknown): string[] {
  const out: string[] = [];
  unknownIn(options, OPTION_KEYS, 'options', out);
  if (!Array.isArray(steps)) return out;
  steps.forEach((step, i) => {
    if (!isObject(step)) return;
    const path = `steps[${i}]`;
    if ('condition' in step) unknownIn(step, CONDITION_KEYS, path, out);
    else if ('parallel' in step) {
      unknownIn(step, PARALLEL_KEYS, path, out);
      if (Array.isArray(step.parallel)) {
        step.parallel.forEach((branch, j) => {
          if (isObject(branch)) actionKeys(branch, `${path}.parallel[${j}]`, out);
        });
      }
    } else actionKeys(step, path, out);
  });
  return out;
}

/**
 * Compiles a stored version, or says why this release cannot run it: keys it does not know, or
 * what does not compile.
 */
export function readStored(
  def: { id: string; version: number; steps: unknown; options: unknown },
  defaults: PlanDefaults,
): StoredPlan {
  const what = `Workflow '${def.id}' version ${def.version}`;
  const unknown = unknownKeys(def.steps, def.options);
  if (unknown.length > 0) {
    const list =
      unknown.slice(0, 10).join(', ') + (unknown.length > 10 ? `, and ${unknown.length - 10} more` : '');
    return {
      plan: null,
      problem: `${what} has keys this release does not know (${list}): defined by a newer release, it runs only on nodes of that release`,
    };
  }
  try {
    const steps = def.steps as StepDefinition[];
    const options = (def.options ?? {}) as WorkflowOptions;
    return {
      plan: compilePlan({ id: def.id, version: def.version, steps, options }, defaults),
      problem: null,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      plan: null,
      problem: `${what} cannot be compiled by this release (${message}): defined by a newer release, it runs only on nodes of that release`,
    };
  }
}
