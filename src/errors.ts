/**
 * The error hierarchy. Every error the orchestrator raises is an {@link OrchestratorError}
 * with a stable string `code`; the HTTP layer maps codes to statuses in one table.
 * @module
 */

import { didYouMean } from './closest-name.js';
import { echo } from './echo.js';

/** One problem found while validating input, with the path where it was found. */
export interface Issue {
  /** Where the problem is, e.g. `steps[2].then` or `maxConcurrentWorkflows`. */
  path: string;
  message: string;
}

/** Options accepted by every orchestrator error. */
export interface OrchestratorErrorOptions {
  cause?: unknown;
}

/** Base class of every error the orchestrator raises. `code` is stable and machine-readable. */
export class OrchestratorError extends Error {
  /** Stable, machine-readable error code (`VALIDATION`, `STEP_TIMEOUT`, ...). */
  readonly code: string;
  constructor(code: string, message: string, options: OrchestratorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Bad input: a definition, a config or a request body. `issues` lists every problem with its
 * path; the message names them all.
 */
export class ValidationError extends OrchestratorError {
  /** Every problem found, each with its path. */
  readonly issues: Issue[];
  constructor(issues: Issue[], context = 'Invalid input') {
    const list = issues.map((i) => (i.path ? `${echo(i.path, null)}: ${i.message}` : i.message));
    super('VALIDATION', `${context}: ${list.join('; ')}`);
    this.issues = issues;
  }
}

/** `executeWorkflow` (or a lookup) named a workflow id that was never defined. */
export class WorkflowNotFoundError extends OrchestratorError {
  /** The workflow id that was not found. */
  readonly workflowId: string;
  /** `known`: the workflow ids that are defined, to name the one a misspelt id most likely meant. */
  constructor(workflowId: string, known: Iterable<string> = []) {
    super(
      'WORKFLOW_NOT_FOUND',
      `Workflow ${echo(workflowId)} is not defined${didYouMean(workflowId, known)}`,
    );
    this.workflowId = workflowId;
  }
}

/** An execution id that the store does not know. */
export class ExecutionNotFoundError extends OrchestratorError {
  /** The execution id that was not found. */
  readonly executionId: string;
  constructor(executionId: string) {
    super('EXECUTION_NOT_FOUND', `Execution ${echo(executionId)} does not exist`);
    this.executionId = executionId;
  }
}

/** A wait (e.g. `waitForCompletion`) ran out of time. */
export class TimeoutError extends OrchestratorError {
  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

/**
 * Throw this from a step handler to fail the step at once, without retries.
 * The step's error code is `options.code`, else `NON_RETRYABLE`.
 */
export class NonRetryableError extends OrchestratorError {
  constructor(message: string, options: OrchestratorErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'NON_RETRYABLE', message, options);
  }
}

/** The load balancer has no workers to assign to. */
export class NoWorkersError extends OrchestratorError {
  constructor(message = 'No workers are registered with the load balancer') {
    super('NO_WORKERS', message);
  }
}

/** A step named an action that no handler is registered for. Never retried. */
export class ActionNotFoundError extends OrchestratorError {
  /** `known`: the actions that have a handler, to name the one a misspelt name most likely meant. */
  constructor(action: string, known: Iterable<string> = []) {
    super(
      'ACTION_NOT_FOUND',
      `No handler is registered for action ${echo(action)}${didYouMean(action, known)}`,
    );
  }
}

/**
 * A step's `compensation` names no handler registered in `errorRecovery`: the compensation fails at
 * once (no retry), recorded on the step and raised as a `compensation_failure` alert.
 */
export class CompensationNotFoundError extends OrchestratorError {
  /** `known`: the compensations that have a handler, to name the one a misspelt name most likely meant. */
  constructor(compensation: string, step: string, known: Iterable<string> = []) {
    super(
      'COMPENSATION_NOT_FOUND',
      `No handler is registered for compensation ${echo(compensation)} (of step ${echo(step)})${didYouMean(compensation, known)}`,
    );
  }
}

/** A request conflicts with the current state (e.g. a reserved action name). */
export class ConflictError extends OrchestratorError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** The orchestrator was closed; it takes no more work. */
export class ClosedError extends OrchestratorError {
  constructor(message = 'The orchestrator is closed') {
    super('CLOSED', message);
  }
}

/**
 * The reason a handler's `ctx.signal` aborts when its execution is cancelled, or when a sibling
 * branch of its parallel step failed.
 */
export class CancelledError extends OrchestratorError {
  constructor(message: string) {
    super('CANCELLED', message);
  }
}

/** The reason a handler's `ctx.signal` aborts when its execution's workflow timeout passes. */
export class WorkflowTimeoutError extends OrchestratorError {
  constructor(executionId: string, timeoutMs: number) {
    super('WORKFLOW_TIMEOUT', `Execution '${executionId}' timed out after ${timeoutMs / 1000}s`);
  }
}

/**
 * The reason a handler's `ctx.signal` aborts when its step (one attempt, or a parallel step) times
 * out, or one attempt of a compensation. `what` names what timed out (default `Step '<step>'`; a
 * compensation's is `Compensation of step '<step>'`: the step itself completed).
 */
export class StepTimeoutError extends OrchestratorError {
  constructor(step: string, timeoutMs: number, what = `Step '${step}'`) {
    super('STEP_TIMEOUT', `${what} timed out after ${timeoutMs / 1000}s`);
  }
}

/** This node lost its lease on an execution: another node owns it now, so this node stops writing. */
export class LeaseLostError extends OrchestratorError {
  constructor(executionId: string) {
    super('LEASE_LOST', `Lease on execution '${executionId}' was lost to another node`);
  }
}

/** The error shape stored for a failed step or execution. */
export interface ErrorInfo {
  code: string;
  message: string;
  step?: string;
}

/** Turns anything thrown into an Error. */
export function toError(value: unknown): Error {
  if (typeof value === 'string') return new Error(value);
  try {
    if (value instanceof Error) return value;
    // A plain object that says what went wrong (`{ code, message }`): its message.
    const message = stringField(value, 'message');
    if (message !== undefined) return new Error(message);
    return new Error(JSON.stringify(value) ?? String(value));
  } catch {
    // A getter that throws, an object without a prototype (String() throws on it), a cycle.
    try {
      return new Error(String(value));
    } catch {
      return new Error('a thrown value that cannot be described');
    }
  }
}

/**
 * What a thrown value says went wrong, never throwing: its message (see {@link toError}), else its
 * name, else that it cannot be described — an Error whose `message` getter throws included.
 */
export function errorMessage(value: unknown): string {
  const error = toError(value);
  return (
    stringField(error, 'message') ?? stringField(error, 'name') ?? 'a thrown value that cannot be described'
  );
}

/**
 * A non-empty string field of a thrown value (`code`, `name`), if it has one; undefined also when
 * reading it throws (a getter, a proxy's trap): whatever a handler throws must not break the engine.
 */
export function stringField(value: unknown, key: string): string | undefined {
  if (!value || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  try {
    const field = (value as Record<string, unknown>)[key];
    return typeof field === 'string' && field.length > 0 ? field : undefined;
  } catch {
    return undefined;
  }
}

/** The string `code` an error carries, if it has one. */
export function errorCode(error: unknown): string | undefined {
  return stringField(error, 'code');
}

/** A condition or input expression failed to compile or evaluate, or a condition was not boolean. Never retried. */
export class ExpressionError extends OrchestratorError {
  constructor(message: string, options: OrchestratorErrorOptions = {}) {
    super('EXPRESSION_ERROR', message, options);
  }
}
