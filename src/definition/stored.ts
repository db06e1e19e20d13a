/**
 * Reading a stored definition back: a version stored by a newer release may use keys (a step kind,
 * a step or retry option) or expressions (a new function) this release does not know. Compiled
 * as is, an unknown key was dropped (an unknown step kind ran as an action named after the step)
 * and an expression that does not compile failed the whole read (and `createOrchestrator` with
 * it). Such a version is unreadable here instead: kept, with what is wrong, never run.
 * @module
 */
import { eachKey, type KeyPlace } from './definition-keys.js';
import { compilePlan } from './plan.js';
import {
  actionStepSchema,
  conditionStepSchema,
  parallelStepSchema,
  retryOptionsSchema,
  workflowOptionsSchema,
} from './schema.js';
import type { Plan, PlanDefaults, StepDefinition, WorkflowOptions } from './types.js';

/** The keys this release knows, by where they sit. */
const KNOWN: Record<KeyPlace, ReadonlySet<string>> = {
  action: new Set(Object.keys(actionStepSchema.shape)),
  condition: new Set(Object.keys(conditionStepSchema.shape)),
  parallel: new Set(Object.keys(parallelStepSchema.shape)),
  retry: new Set(Object.keys(retryOptionsSchema.shape)),
  options: new Set(Object.keys(workflowOptionsSchema.shape)),
};

/** A stored version as this release reads it: its plan, or why it cannot run it. */
export type StoredPlan = { plan: Plan; problem: null } | { plan: null; problem: string };

/** The keys of a stored definition this release does not know, as paths. */
export function unknownKeys(steps: unknown, options: unknown): string[] {
  const out: string[] = [];
  eachKey(steps, options, (place, key, path) => {
    if (!KNOWN[place].has(key)) out.push(path);
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
