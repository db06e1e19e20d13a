/**
 * `ErrorRecovery` (SPEC §4): the registry of compensation handlers, the saga's reverse-order
 * compensation run, and in-memory retry counting with exponential backoff. The engine reads
 * handlers from here; durable retry state lives in the store, not in this class.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../clock.js';
import { describeValue } from '../describe-value.js';
import { checkHandlerRegistration } from '../engine/action-registry.js';
import type { Issue } from '../errors.js';
import { toError, ValidationError } from '../errors.js';
import { checkNonEmptyString } from '../non-empty-string.js';
import { plainObjectIssue } from '../plain-object.js';
import type { CompensationHandler, StepContext } from '../types.js';
import { assertReadable, unknownKeyIssues } from '../unknown-keys.js';
import { backoffDelayMs } from './backoff.js';

/** Options of {@link ErrorRecovery}. Delays are in seconds. */
export interface ErrorRecoveryOptions {
  /** Seconds before the first retry. @default 1 */
  baseDelay?: number | undefined;
  /** Multiplier between consecutive delays; at least 1. @default 2 */
  multiplier?: number | undefined;
  /** Cap on one delay, in seconds. @default 5 */
  maxDelay?: number | undefined;
  /**
   * Waits `ms` milliseconds. Inject one in tests so nothing waits on real time.
   * @default a real timer (`node:timers/promises` `setTimeout`)
   */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Options of {@link ErrorRecovery.retryStep}. */
export interface RetryStepOptions {
  /** Retries allowed for the step. @default 3 */
  maxAttempts?: number | undefined;
}

/** What {@link ErrorRecovery.compensate} did. */
export interface CompensationResult {
  /** Steps whose handler ran without throwing, in the order they ran (reverse completion order). */
  compensated: string[];
  /** Steps with no registered handler, in the order they were reached. */
  skipped: string[];
  /** Steps whose handler threw, with the error. */
  failed: { step: string; error: Error }[];
}

const EMPTY_OUTPUTS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Compensation registry, saga runner and retry counter.
 *
 * @example
 * ```ts
 * const recovery = new ErrorRecovery();
 * recovery.registerCompensation('database_write', async () => db.delete(id));
 * await recovery.compensate('api_call', ['database_write']);
 * ```
 */
export class ErrorRecovery {
  private readonly baseDelay: number;
  private readonly multiplier: number;
  private readonly maxDelay: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly handlers = new Map<string, CompensationHandler>();
  private readonly attempts = new Map<string, number>();

  /** @throws ValidationError when an option is out of range. */
  constructor(options: ErrorRecoveryOptions = {}) {
    checkOptionsObject(options, 'options', 'Invalid ErrorRecovery options');
    assertReadable(
      options,
      ['baseDelay', 'multiplier', 'maxDelay', 'sleep'],
      'Invalid ErrorRecovery options',
    );
    const { baseDelay = 1, multiplier = 2, maxDelay = 5, sleep = defaultSleep } = options;
    // A misspelt option (`maxDelays`) is refused by name, not silently left at its default.
    const issues: Issue[] = unknownKeyIssues(options, ['baseDelay', 'multiplier', 'maxDelay', 'sleep']);
    checkNumber(issues, 'baseDelay', baseDelay, 0, 'a non-negative number');
    checkNumber(issues, 'multiplier', multiplier, 1, 'a number of at least 1');
    checkNumber(issues, 'maxDelay', maxDelay, 0, 'a non-negative number');
    if (typeof sleep !== 'function') {
      issues.push({
        path: 'sleep',
        message: `Expected \`sleep\` to be a function, got ${describeValue(sleep)}`,
      });
    }
    if (issues.length > 0) throw new ValidationError(issues, 'Invalid ErrorRecovery options');
    this.baseDelay = baseDelay;
    this.multiplier = multiplier;
    this.maxDelay = maxDelay;
    this.sleep = sleep;
  }

  /**
   * Registers (or replaces) the compensation handler named `name`. It is called as
   * `handler(stepOutput, ctx)` when a later step fails.
   * @throws ValidationError when `name` is not a name a definition can give as a step's
   *   `compensation` (`[A-Za-z0-9_.-]+`, 1 to 128 characters, not `__proto__`): no step could use
   *   it. Or when `handler` is not a function.
   */
  registerCompensation(name: string, handler: CompensationHandler): void {
    checkHandlerRegistration('compensation', name, handler);
    this.handlers.set(name, handler);
  }

  /** The handler registered under `name`, if any. */
  getCompensation(name: string): CompensationHandler | undefined {
    return this.handlers.get(name);
  }

  /** Whether a handler is registered under `name`. */
  hasCompensation(name: string): boolean {
    return this.handlers.has(name);
  }

  /** Names of the registered handlers, in registration order. */
  listCompensations(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Undoes `completedSteps` after `failedStep` failed: runs the handler registered under each
   * completed step's name, last completed first, one at a time. Steps without a handler are
   * skipped; a handler that throws is recorded in `failed` and the run carries on.
   *
   * Handlers get `undefined` as the step output (this standalone API does not know it) and a
   * minimal context whose `idempotencyKey` is `compensate:<call>:<failedStep>:<step>`, `<call>` a
   * random id of this call (no `deadline`: `undefined`). The key is stable within one call and
   * differs between calls: a handler passing it on to a service (a refund keyed by it) undoes each
   * saga once, not the first saga only (a key of the step names alone was the same for every call).
   */
  async compensate(failedStep: string, completedSteps: readonly string[]): Promise<CompensationResult> {
    checkNonEmptyString(failedStep, 'failedStep', 'compensate');
    if (!Array.isArray(completedSteps)) {
      throw new ValidationError(
        [
          {
            path: 'completedSteps',
            message: `Expected an array of step names, got ${typeof completedSteps}`,
          },
        ],
        'Invalid compensate arguments',
      );
    }
    for (const [i, step] of completedSteps.entries())
      checkNonEmptyString(step, `completedSteps[${i}]`, 'compensate');
    const result: CompensationResult = { compensated: [], skipped: [], failed: [] };
    const call = randomUUID();
    for (let i = completedSteps.length - 1; i >= 0; i--) {
      const step = completedSteps[i] as string;
      const handler = this.handlers.get(step);
      if (handler === undefined) {
        result.skipped.push(step);
        continue;
      }
      const ctx: StepContext = {
        executionId: '',
        workflowId: '',
        stepName: step,
        attempt: 1,
        // A signal that never aborts (compensation is not cancellable once started), one per call:
        // a shared one kept every listener a handler added and never removed, without end (and
        // Node's MaxListenersExceededWarning past 10).
        signal: new AbortController().signal,
        idempotencyKey: `compensate:${call}:${failedStep}:${step}`,
        outputs: EMPTY_OUTPUTS,
        // No time limit here; the key is there all the same, as in a step's context (StepContext).
        deadline: undefined,
      };
      try {
        await handler(undefined, ctx);
        result.compensated.push(step);
      } catch (error) {
        result.failed.push({ step, error: toError(error) });
      }
    }
    return result;
  }

  /**
   * Counts a retry of `stepName` and waits the backoff delay for it, then resolves `true`; once
   * `maxAttempts` retries were taken it resolves `false` at once. The retry is counted before the
   * wait, so concurrent callers cannot overrun the limit.
   * @throws ValidationError when `maxAttempts` is not a non-negative integer, or an option is
   *   unknown (`maxRetries` is refused by name, not ignored).
   */
  async retryStep(stepName: string, options: RetryStepOptions = {}): Promise<boolean> {
    checkNonEmptyString(stepName, 'stepName', 'retryStep');
    checkOptionsObject(options, 'options', 'Invalid retry options');
    const unknown = unknownKeyIssues(options, ['maxAttempts']);
    if (unknown.length > 0) throw new ValidationError(unknown, 'Invalid retry options');
    const { maxAttempts = 3 } = options;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 0) {
      throw new ValidationError(
        [
          {
            path: 'maxAttempts',
            message: `Expected \`maxAttempts\` to be a non-negative integer, got ${describeValue(maxAttempts)}`,
          },
        ],
        'Invalid retry options',
      );
    }
    const taken = this.attempts.get(stepName) ?? 0;
    if (taken >= maxAttempts) return false;
    this.attempts.set(stepName, taken + 1);
    // Whole milliseconds, as timers take them (1.1 × 1.5 s × 1000 is 1650.0000000000002 in floating point).
    await this.sleep(Math.round(this.getBackoffDelay(taken + 1) * 1000));
    return true;
  }

  /**
   * Seconds to wait before retry `retryNumber` (1 for the first):
   * `min(baseDelay × multiplier^(retryNumber − 1), maxDelay)` — 1, 2, 4, 5, 5 ... by default.
   * @throws ValidationError when `retryNumber` is not a positive integer.
   */
  getBackoffDelay(retryNumber: number): number {
    if (!Number.isInteger(retryNumber) || retryNumber < 1) {
      throw new ValidationError(
        [
          {
            path: 'retryNumber',
            message: `Expected \`retryNumber\` to be a positive integer (1 for the first retry), got ${describeValue(retryNumber)}`,
          },
        ],
        'Invalid getBackoffDelay arguments',
      );
    }
    return backoffDelayMs(
      { initialDelayMs: this.baseDelay, backoffCoefficient: this.multiplier, maxDelayMs: this.maxDelay },
      retryNumber,
    );
  }

  /** Retries counted for `stepName` since the last reset (0 when none). */
  getAttempts(stepName: string): number {
    checkNonEmptyString(stepName, 'stepName', 'getAttempts');
    return this.attempts.get(stepName) ?? 0;
  }

  /** Forgets the retries counted for `stepName` (call it after the step succeeds). */
  resetAttempts(stepName: string): void {
    checkNonEmptyString(stepName, 'stepName', 'resetAttempts');
    this.attempts.delete(stepName);
  }
}

function defaultSleep(ms: number): Promise<void> {
  // Node's setTimeout fires after 1 ms for delays over 2^31-1 ms; the system clock chains them.
  return systemClock.sleep(ms);
}

function checkOptionsObject(value: unknown, path: string, heading: string): void {
  // Under the call's own heading ('Invalid ErrorRecovery options', 'Invalid retry options').
  assertReadable(value, [], heading);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(
      [{ path, message: `Expected \`${path}\` to be an object, got ${describeValue(value)}` }],
      heading,
    );
  }
  // A Map's entries would be ignored: its defaults taken without a word.
  const plain = plainObjectIssue(value, path, `\`${path}\``, 'a plain object');
  if (plain !== null) throw new ValidationError([plain], heading);
}

function checkNumber(issues: Issue[], key: string, value: unknown, min: number, expected: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    issues.push({ path: key, message: `Expected \`${key}\` to be ${expected}, got ${describeValue(value)}` });
  }
}
