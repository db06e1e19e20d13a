/**
 * The one walk over the keys of a stored definition, as written (not validated): where each key
 * sits and its path. `stored.ts` finds the keys a release does not know with it, and `format.ts`
 * the definition format a version needs.
 * @module
 */

/**
 * Where a key sits: an action step (or a parallel step's branch), a condition step, a parallel
 * step, an action's `retry` options, or the workflow's options.
 */
export type KeyPlace = 'action' | 'condition' | 'parallel' | 'retry' | 'options';

/** Called for each key: its place, its name and its path (`steps[0].parallel[1].retry.foo`). */
export type KeyVisitor = (place: KeyPlace, key: string, path: string) => void;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function keysOf(value: unknown, place: KeyPlace, path: string, visit: KeyVisitor): void {
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) visit(place, key, `${path}.${key}`);
}

function actionKeys(step: Record<string, unknown>, path: string, visit: KeyVisitor): void {
  keysOf(step, 'action', path, visit);
  keysOf(step.retry, 'retry', `${path}.retry`, visit);
}

/**
 * Visits every key of a definition's steps and options. A step with `condition` is a condition
 * step, one with `parallel` a parallel step, any other an action step.
 */
export function eachKey(steps: unknown, options: unknown, visit: KeyVisitor): void {
  keysOf(options, 'options', 'options', visit);
  if (!Array.isArray(steps)) return;
  steps.forEach((step, i) => {
    if (!isObject(step)) return;
    const path = `steps[${i}]`;
    if ('condition' in step) keysOf(step, 'condition', path, visit);
    else if ('parallel' in step) {
      keysOf(step, 'parallel', path, visit);
      if (Array.isArray(step.parallel)) {
        step.parallel.forEach((branch, j) => {
          if (isObject(branch)) actionKeys(branch, `${path}.parallel[${j}]`, visit);
        });
      }
    } else actionKeys(step, path, visit);
  });
}

/** The expressions of a definition's steps (conditions and action inputs), as written. */
export function eachExpression(steps: unknown, visit: (source: string) => void): void {
  if (!Array.isArray(steps)) return;
  const action = (step: Record<string, unknown>) => {
    if (typeof step.input === 'string') visit(step.input);
  };
  for (const step of steps) {
    if (!isObject(step)) continue;
    if (typeof step.condition === 'string') visit(step.condition);
    else if (Array.isArray(step.parallel)) {
      for (const branch of step.parallel) if (isObject(branch)) action(branch);
    } else action(step);
  }
}
