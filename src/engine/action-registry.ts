/**
 * The action registry: handler names to handlers, with the built-in actions (`noop`, `delay`,
 * `http`) whose names user handlers may not take.
 * @module
 */
import { nameProblem } from '../definition/name-problem.js';
import { describeValue } from '../describe-value.js';
import { echo } from '../echo.js';
import { ValidationError } from '../errors.js';
import type { ActionHandler } from '../types.js';

/** Names reserved for built-in actions. */
export const BUILTIN_ACTION_NAMES: ReadonlySet<string> = new Set(['noop', 'delay', 'http']);

/**
 * The one check of a handler registration, given to `ActionRegistry.register`,
 * `ErrorRecovery.registerCompensation` and the `actions` / `compensations` config: the name must
 * be one a definition's step can give as its `action` or `compensation` (and an action may not
 * take a built-in name), the handler a function. Throws a ValidationError, headed
 * "Invalid <kind> registration", with an issue at `name` and one at `handler` saying what is wrong.
 */
export function checkHandlerRegistration(
  kind: 'action' | 'compensation',
  name: unknown,
  handler: unknown,
): void {
  const issues = [];
  const why = typeof name === 'string' ? nameProblem(name) : undefined;
  if (typeof name !== 'string') {
    issues.push({
      path: 'name',
      message: `Expected the ${kind} name to be a string, got ${describeValue(name)}`,
    });
  } else if (why !== undefined) {
    // The definition's own rule for these names: a handler under any other could never be used.
    issues.push({
      path: 'name',
      message: `The ${kind} name ${why}, so no step's \`${kind}\` could name it`,
    });
  } else if (kind === 'action' && BUILTIN_ACTION_NAMES.has(name)) {
    issues.push({ path: 'name', message: `'${name}' is a built-in action and cannot be replaced` });
  }
  if (typeof handler !== 'function') {
    const whose =
      typeof name === 'string' && why === undefined ? `handler of ${kind} ${echo(name)}` : `${kind} handler`;
    issues.push({
      path: 'handler',
      message: `Expected the ${whose} to be a function, got ${describeValue(handler)}`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, `Invalid ${kind} registration`);
}

/** Handlers by action name. */
export class ActionRegistry {
  private readonly handlers = new Map<string, ActionHandler>();

  /** Registers a user handler. Built-in names are refused. Re-registering replaces. */
  register(name: string, handler: ActionHandler): void {
    checkHandlerRegistration('action', name, handler);
    this.handlers.set(name, handler);
  }

  /** Registers a built-in action (engine use). */
  registerBuiltin(name: string, handler: ActionHandler): void {
    this.handlers.set(name, handler);
  }

  get(name: string): ActionHandler | undefined {
    return this.handlers.get(name);
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  list(): string[] {
    return [...this.handlers.keys()];
  }
}

/** `noop`: returns its input. */
export const noopAction: ActionHandler = (input) => input;
