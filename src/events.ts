/**
 * The typed event map of an orchestrator (`orch.on(event, listener)`), and the emitter.
 * Events are notifications: the engine never waits on listeners, and a listener that throws
 * is logged, not propagated.
 * @module
 */

import { EventEmitter } from 'node:events';
import { didYouMean } from './closest-name.js';
import { describeValue } from './describe-value.js';
import { echo } from './echo.js';
import { type ErrorInfo, ValidationError } from './errors.js';
import type { Alert } from './monitoring/alerts.js';
import { isThenable } from './thenable.js';
import type { ExecutionState } from './types.js';

interface ExecutionRef {
  executionId: string;
  workflowId: string;
}

interface StepRef extends ExecutionRef {
  step: string;
  /** Parallel step a branch belongs to; absent or `undefined` for a step of no parallel step. */
  parent?: string | undefined;
  attempt: number;
}

/** Every event and its payload. */
export interface OrchestratorEvents {
  /** Stored and queued (status `pending`). */
  'execution.created': ExecutionRef & { workflowVersion: number };
  /** Took a slot and a worker; `resumed` after a restart or failover. */
  'execution.started': ExecutionRef & { workerId: string; resumed: boolean };
  /**
   * An attempt of a step starts. `interruptions`: the attempts of the step's current visit before
   * this one that their process cut short (a crash, a close, a lost lease: `INTERRUPTED` in its
   * history), when there were any. They are no retries and use no retry budget: this attempt is
   * retry `attempt - 1 - interruptions` (none when that is 0).
   */
  'step.started': StepRef & { interruptions?: number };
  'step.completed': StepRef & { durationMs: number; output: unknown };
  /**
   * An attempt of a step failed: an action's attempt, a condition that could not be evaluated, or a
   * parallel step as a whole (after its failed branch's own event). `retryAt` is set when another
   * attempt follows.
   */
  'step.failed': StepRef & { error: ErrorInfo; durationMs: number; retryAt?: Date; delayMs?: number };
  /**
   * A step stopped before it finished, because its execution was cancelled or timed out, or (a
   * branch) a sibling branch failed or its parallel step timed out: the attempt that was running
   * (`attempt`) ends here, or, for a step waiting for its retry, that retry will not run. `durationMs`: from its
   * first attempt to the stop; `error`: code `CANCELLED`, as in the step's status. (A step of an
   * execution this process stops running at shutdown gets none: it resumes on the next start.)
   */
  'step.cancelled': StepRef & { error: ErrorInfo; durationMs: number };
  /** A conditional step chose a branch. */
  'step.decided': ExecutionRef & { step: string; decision: 'then' | 'else'; next: string | null };
  /**
   * The saga starts. `steps`: the steps to compensate, in the order they will be (a step a jump
   * ran again is named once per completed visit, as in `compensatedSteps`).
   */
  'execution.compensating': ExecutionRef & { error: ErrorInfo; steps: string[] };
  /**
   * An attempt of a compensation starts. `interruptions`: its attempts before this one that their
   * process cut short (a crash, a close, a lost lease), when there were any: no retries, as for
   * `step.started` (this attempt is retry `attempt - 1 - interruptions`).
   */
  'compensation.started': StepRef & { interruptions?: number };
  /**
   * A compensation completed. `durationMs`: its whole time, from its first attempt (retry waits
   * included), as a step's on `step.completed`.
   */
  'compensation.completed': StepRef & { durationMs: number };
  /**
   * An attempt of a compensation failed. `final`: no other attempt follows; else `retryAt` (the
   * compensation's `nextAttemptAt`) and `delayMs` (the backoff before it), as on `step.failed`.
   */
  'compensation.failed': StepRef & { error: ErrorInfo; final: boolean; retryAt?: Date; delayMs?: number };
  'execution.completed': ExecutionRef & { status: 'completed'; durationMs: number };
  'execution.failed': ExecutionRef & { status: 'failed'; durationMs: number; error: ErrorInfo };
  'execution.cancelled': ExecutionRef & { status: 'cancelled'; durationMs: number };
  /**
   * Any terminal state. `durationMs`: from its start (from its creation when it never started);
   * `ran`: false when it ended while still queued (cancelled, or timed out waiting), so it has no
   * execution time — the metrics, Prometheus and the dashboard leave its duration out.
   */
  'execution.finished': ExecutionRef & {
    status: ExecutionState;
    durationMs: number;
    ran: boolean;
    error?: ErrorInfo;
  };
  alert: Alert;
}

/** Names of the events `orch.on` accepts. */
export type EventName = keyof OrchestratorEvents;
/** A listener of event `E`, as `orch.on(E, listener)` takes it: called with the event's payload. */
export type Listener<E extends EventName> = (payload: OrchestratorEvents[E]) => void;

/** Every event name, at run time (a record, so the compiler checks it lists the whole map). */
const KNOWN_EVENTS: Record<EventName, true> = {
  'execution.created': true,
  'execution.started': true,
  'step.started': true,
  'step.completed': true,
  'step.failed': true,
  'step.cancelled': true,
  'step.decided': true,
  'execution.compensating': true,
  'compensation.started': true,
  'compensation.completed': true,
  'compensation.failed': true,
  'execution.completed': true,
  'execution.failed': true,
  'execution.cancelled': true,
  'execution.finished': true,
  alert: true,
};

/** Why `event` names no event (a listener for it would never be called), or null when it names one. */
export function eventNameProblem(event: unknown): string | null {
  if (typeof event === 'string' && Object.hasOwn(KNOWN_EVENTS, event)) return null;
  const known = Object.keys(KNOWN_EVENTS)
    .map((name) => `'${name}'`)
    .join(', ');
  if (typeof event !== 'string')
    return `Expected an event name, got ${describeValue(event)}; one of ${known}`;
  return `Unknown event ${echo(event)}${didYouMean(event, Object.keys(KNOWN_EVENTS))}; expected one of ${known}`;
}

/** A listener for a name no event has would never be called: refused, so a typo shows at once. */
function checkEventName(event: unknown, method: string): void {
  const problem = eventNameProblem(event);
  if (problem)
    throw new ValidationError([{ path: 'event', message: problem }], `Invalid ${method} arguments`);
}

/** @throws ValidationError unless `listener` is a function (Node's own TypeError names no event). */
function checkListener(event: string, listener: unknown, method: string): void {
  if (typeof listener !== 'function') {
    throw new ValidationError(
      [
        {
          path: 'listener',
          message: `Expected the listener of '${event}' to be a function, got ${describeValue(listener)}`,
        },
      ],
      `Invalid ${method} arguments`,
    );
  }
}

/**
 * Listeners on one event past which the emitter warns (once per event): a program that adds one
 * per request and never removes it leaks. Generous, unlike Node's 10, as many listeners are fine.
 */
export const LISTENER_WARNING_LIMIT = 100;

/** A typed wrapper over Node's EventEmitter. */
export class TypedEmitter {
  private readonly emitter = new EventEmitter({ captureRejections: false });
  private readonly onListenerError: (event: string, error: unknown) => void;
  private readonly onManyListeners: (event: EventName, count: number) => void;
  /** Events already warned about: one warning each, not one per listener added. */
  private readonly warned = new Set<EventName>();

  constructor(
    onListenerError: (event: string, error: unknown) => void,
    onManyListeners: (event: EventName, count: number) => void = () => undefined,
  ) {
    // Node's own warning (past 10) goes to process.emitWarning; this one goes to the caller's logger.
    this.emitter.setMaxListeners(0);
    this.onListenerError = onListenerError;
    this.onManyListeners = onManyListeners;
  }

  on<E extends EventName>(event: E, listener: Listener<E>): this {
    checkEventName(event, 'on');
    checkListener(event, listener, 'on');
    this.emitter.on(event, listener as (p: unknown) => void);
    this.checkCount(event);
    return this;
  }

  once<E extends EventName>(event: E, listener: Listener<E>): this {
    checkEventName(event, 'once');
    checkListener(event, listener, 'once');
    this.emitter.once(event, listener as (p: unknown) => void);
    this.checkCount(event);
    return this;
  }

  /** Warns, once per event, when its listeners exceed {@link LISTENER_WARNING_LIMIT}. */
  private checkCount(event: EventName): void {
    const count = this.emitter.listenerCount(event);
    if (count <= LISTENER_WARNING_LIMIT || this.warned.has(event)) return;
    this.warned.add(event);
    try {
      this.onManyListeners(event, count);
    } catch {
      // A warning that cannot be told must not refuse the listener, which is registered.
    }
  }

  off<E extends EventName>(event: E, listener: Listener<E>): this {
    checkEventName(event, 'off');
    checkListener(event, listener, 'off');
    this.emitter.off(event, listener as (p: unknown) => void);
    return this;
  }

  /** Whether anyone listens (callers skip building payloads when nobody does). */
  has(event: EventName): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  emit<E extends EventName>(event: E, payload: OrchestratorEvents[E]): void {
    if (this.emitter.listenerCount(event) === 0) return;
    // rawListeners: a `once` listener comes wrapped; its wrapper removes it before the call.
    for (const listener of this.emitter.rawListeners(event)) {
      try {
        const result: unknown = (listener as Listener<E>)(payload);
        // An async listener's rejection is its throw: reported, not an unhandled rejection that
        // would end the process.
        if (isThenable(result)) result.then(undefined, (error) => this.report(event, error));
      } catch (error) {
        this.report(event, error);
      }
    }
  }

  /**
   * Reports a listener's failure. A report that fails in turn is made again without the error (which
   * may be what failed), and dropped if that fails too (a logger that throws): it must not reach
   * the engine that emitted (a stuck execution) or go unhandled (a crash).
   */
  private report(event: EventName, error: unknown): void {
    try {
      this.onListenerError(event, error);
    } catch {
      // The error itself may be what failed (a `message` getter that throws, read by the
      // logger): the failure is reported without it, not dropped.
      try {
        this.onListenerError(event, new Error('the listener threw an error that could not be read'));
      } catch {
        // Nothing is left to tell.
      }
    }
  }

  removeAll(): void {
    this.emitter.removeAllListeners();
  }
}
