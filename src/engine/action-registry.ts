/**
 * The action registry: handler names to handlers, with the built-in actions (`noop`, `delay`,
 * `http`) whose names user handlers may not take.
 * @module
 */
import { nameProblem } from '../definition/name-problem.js';
import { describeValue } from '../describe-value.js';
import { ValidationError } from '../errors.js';
import type { ActionHandler } from '../types.js';

/** Names reserved for built-in actions. */
export const BUILTIN_ACTION_NAMES: ReadonlySet<string> = new Set(['noop', 'delay', 'http']);

/**
 * Checks a handler registration (an action may not take a built-in name); throws a
 * ValidationError naming the bad argument.
 */
export function checkHandlerRegistration(
  kind: 'action' | 'compensation',
  name: unknown,
  handler: unknown,
): void {
  const issues = [];
  const why = typeof name === 'string' ? nameProblem(name) : `must be a string, got ${describeValue(name)}`;
  if (why !== undefined) {
    // The definition's own rule for these names: a handler under any other could never be used.
    issues.push({ path: 'name', message: `The ${kind} name ${why}` });
  } else if (kind === 'action' && typeof name === 'string' && BUILTIN_ACTION_NAMES.has(name)) {
    issues.push({ path: 'name', message: `'${name}' is a built-in action and cannot be replaced` });
  }
  if (typeof handler !== 'function') {
    issues.push({
      path: 'handler',
      message: `Expected the ${kind} handler to be a function, got ${typeof handler}`,
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
