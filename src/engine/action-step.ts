/**
 * Runs one action step (or parallel branch) to its end: attempts, timeouts, retries with
 * durable backoff, and the `delay` built-in's durable timer. Returns the final record; the
 * caller decides how the result is committed (with the next position, or with the branch).
 * @module
 */

import { elapsedMs, sleepUntil } from '../clock.js';
import { MAX_SECONDS } from '../definition/max-seconds.js';
import type { PlanActionStep } from '../definition/types.js';
import { describeValue } from '../describe-value.js';
import {
  ActionNotFoundError,
  type ErrorInfo,
  errorCode,
  errorMessage,
  NonRetryableError,
} from '../errors.js';
import {
  copiedJsonText,
  copyJson,
  findJsonProblem,
  jsonSizeOverLimit,
  MAX_JSON_TEXT,
  NOT_JSON,
  TOO_LARGE,
  tryCopyJson,
} from '../json-value.js';
import { retryDelayWith } from '../recovery/retry-after.js';
import { isRetryable, nextRetryDelayMs } from '../recovery/retry-policy.js';
import { MAX_ERROR_CODE_LENGTH, MAX_FAIL_MESSAGE_LENGTH } from '../remote/protocol.js';
import { storableText } from '../storable-text.js';
import type { StepRecord } from '../store/store.js';
import { textPrefix } from '../text-prefix.js';
import type { ActionHandler } from '../types.js';
import type { AbortScope } from './abort-scope.js';
import { BUILTIN_ACTION_NAMES } from './action-registry.js';
import type { ActiveExecution } from './active-execution.js';
import { confirmLease, type EngineContext, leaseLapsed, leftToRestart } from './context.js';
import { expressionScope } from './expression-scope.js';
import { type OutOfProcessHooks, runsOutOfProcess } from './out-of-process.js';
import { persist, persistLater } from './persist.js';
import { type AttemptResult, beginAttempt, finishRace } from './step-attempt.js';
import { emitStepCancelled } from './step-cancelled.js';
import {
  cancelledRecord,
  completedRecord,
  countedInterruptions,
  endAttempt,
  failedRecord,
  failuresSoFar,
  interruptionLimitError,
  startAttempt,
  waitsOnDelay,
} from './step-records.js';
import { afterEndWritten } from './stored-ends.js';

/** The largest step output, in characters of JSON text (see `MAX_JSON_TEXT`). */
export const MAX_OUTPUT_TEXT = MAX_JSON_TEXT;

/**
 * How a step ended. `stopped`: its signal aborted (cancel, timeout, shutdown, a failed sibling),
 * or `close` left it to the next start; `left`: the latter, before an attempt began (see
 * `leftForClose`).
 */
export type StepOutcome =
  | { ok: true; rec: StepRecord; output: unknown }
  | { ok: false; rec: StepRecord; error: ErrorInfo; stopped: boolean; left?: true };

/**
 * The error info of a step failure (SPEC §4: the error's own code, else STEP_FAILED). A U+0000 or
 * lone surrogate in the handler's message or code becomes U+FFFD, as every store keeps it. The
 * message keeps at most the 8192 characters a remote worker's may have, the code its 128 (never
 * half a surrogate pair): a handler that threw a whole response body in its message had it stored
 * in the step's error, its attempt's and the execution's, on every attempt.
 */
export function stepErrorInfo(error: unknown, step: string): ErrorInfo {
  return {
    code: textPrefix(storableText(errorCode(error) ?? 'STEP_FAILED'), MAX_ERROR_CODE_LENGTH),
    message: textPrefix(storableText(errorMessage(error)), MAX_FAIL_MESSAGE_LENGTH),
    step,
  };
}

/** Idempotency key of a step visit. */
export function idempotencyKey(executionId: string, step: string, visit: number): string {
  return visit > 1 ? `${executionId}:${step}#${visit}` : `${executionId}:${step}`;
}

/**
 * Sleeps until `at` on `signal` for `step`, marked as a wait on a timer (see
 * `ActiveExecution.waitOnTimer`; a branch's, `waitOnBranchTimer`: a sibling may be running a
 * handler). A draining node halts the execution at once only on a durable store, whose stored
 * timer resumes it on the next start (on the memory store nothing does, so the grace is its only
 * chance to end).
 */
function timerWait(
  ctx: EngineContext,
  ex: ActiveExecution,
  step: PlanActionStep,
  at: number,
  signal: AbortSignal,
): Promise<void> {
  const wait = () => sleepUntil(ctx.clock, at, signal);
  // (A branch whose siblings are being stopped waits no more: it takes no part in a halt.)
  if (step.parent !== null) return ex.waitOnBranchTimer(leftToRestart(ctx) && !signal.aborted, wait);
  return ex.waitOnTimer(leftToRestart(ctx), wait);
}

/**
 * The `delay` built-in's handler for `step`: waits until the timer its record holds (set when the
 * attempt started; `runActionStep` keeps the record it works on in `ex.steps`).
 */
function delayHandler(ctx: EngineContext, ex: ActiveExecution, step: PlanActionStep): ActionHandler {
  return (input, c) =>
    timerWait(ctx, ex, step, ex.steps.get(step.name)!.timerAt ?? ctx.clock.now(), c.signal).then(() => input);
}

/**
 * What the attempts of a remote worker's action at step `name` report to (how long their tasks
 * waited for a worker) and check (the lease of `ex`, before a task goes to a worker).
 */
function outOfProcessHooks(ctx: EngineContext, ex: ActiveExecution, name: string): OutOfProcessHooks {
  return {
    queueWait: (ms) => ex.addQueuedMs(name, ms),
    lease: { lapsed: () => leaseLapsed(ctx, ex), confirm: () => ctx.leases.verify() },
  };
}

/**
 * `rec`, a new record of its step's end, given how long this visit's tasks waited for a remote
 * worker (`queuedMs`, see `ActiveExecution.queuedMs`), as the optimizer is told it: stored with the
 * end, for the figures read back from the store. Only a remote worker's action has one; a new visit
 * with no wait drops the one its earlier visit's record carried. Returns `rec`.
 */
function withQueueWait(ex: ActiveExecution, rec: StepRecord): StepRecord {
  const ms = ex.queuedMs(rec.name);
  if (ms !== undefined || rec.queuedMs !== undefined) rec.queuedMs = ms;
  return rec;
}

/**
 * `rec` as the record of its step: kept in `ex.steps` (what the step runner works on, what
 * statuses and writes read). Returns `rec`.
 */
function setRecord(ex: ActiveExecution, rec: StepRecord): StepRecord {
  ex.steps.set(rec.name, rec);
  return rec;
}

function delaySeconds(input: unknown): number {
  const object = input !== null && typeof input === 'object' && !Array.isArray(input);
  const seconds = object ? (input as { seconds?: unknown }).seconds : undefined;
  // At most MAX_SECONDS, as every duration: from about 1.8e305 s the wake-up time was NaN, and
  // the delay ended at once.
  if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= MAX_SECONDS)) {
    // An input that is no object has no seconds to show: name the input itself ('got input 5').
    const got = object ? describeValue(seconds) : `input ${describeValue(input)}`;
    throw new NonRetryableError(
      `The 'delay' action needs input.seconds as a non-negative number of at most ${MAX_SECONDS}, got ${got}`,
      {
        code: 'INVALID_INPUT',
      },
    );
  }
  return seconds;
}

/**
 * A `delay`'s length in whole milliseconds, as every timer and stored time of the engine (a retry's
 * backoff: `nextRetryDelayMs`): rounded up, so that the delay never ends before the time asked for
 * (`seconds: 0.0014` waits 2 ms). A product a float's error above a whole millisecond (2.007 × 1000 =
 * 2007.0000000000002) is that millisecond, not the next.
 */
export function delayMs(seconds: number): number {
  const ms = seconds * 1000;
  return Math.ceil(ms - ms * 1e-12);
}

/**
 * Whether `close` leaves this step's next attempt to the next start (see `leftToRestart`): no
 * handler starts once `close` was called on a durable store. A top-level step halts its execution
 * for the shutdown at once. A branch of a parallel step only leaves itself, as stored: its running
 * siblings get the grace, and the parallel step halts the execution once they ended.
 */
function leftForClose(ctx: EngineContext, ex: ActiveExecution, step: PlanActionStep): boolean {
  if (!leftToRestart(ctx)) return false;
  if (step.parent === null) ex.stop('shutdown');
  return true;
}

/**
 * Runs `step` until it completes, fails for good, or `scope` aborts. `rec` is the entered
 * record (see `enterStep`).
 */
export async function runActionStep(
  ctx: EngineContext,
  ex: ActiveExecution,
  step: PlanActionStep,
  entered: StepRecord,
  scope: AbortScope,
): Promise<StepOutcome> {
  // (No closure in here: a variable one captured would live in a context allocated per step.)
  const { clock } = ctx;
  const name = step.name;
  let rec = entered;
  const handler = step.action === 'delay' ? delayHandler(ctx, ex, step) : ctx.actions.get(step.action);
  // A remote worker's action reports how long its tasks waited for a worker (this visit's), and
  // its tasks go to a worker only while the execution's lease is known valid.
  let outOfProcess: OutOfProcessHooks | undefined;
  if (runsOutOfProcess(handler)) {
    if (rec.attempts === 0) ex.clearQueuedMs(name);
    outOfProcess = outOfProcessHooks(ctx, ex, name);
  }

  // A `delay` stored waiting on its timer when its process stopped: its attempt goes on (started,
  // counted and stored then; announced again below), waiting for the same stored time (see
  // `waitsOnDelay`).
  let resumedWait = waitsOnDelay(rec);
  for (;;) {
    const dueAt = rec.nextAttemptAt;
    if (dueAt !== null) {
      if (rec.status !== 'waiting') rec = setRecord(ex, { ...rec, status: 'waiting' });
      if (dueAt > clock.now()) {
        try {
          await timerWait(ctx, ex, step, dueAt, scope.signal);
        } catch {
          return stopped(ctx, ex, rec);
        }
      }
      // Past the workflow's (or parallel step's) timeout though its timer has not fired (a stalled
      // event loop runs due timers list by list: the backoff's can run first): no attempt starts.
      scope.expireIfLate(clock.now());
      // A retry due already (its time passed while its failure was being written) has no timer
      // to halt on: as a waiting one (`timerWait`), it starts no attempt once `close` was called,
      // and resumes from its stored retry time on the next start.
      if (leftForClose(ctx, ex, step)) return leftAsStored(rec);
    }
    // Checked here first: an await per step costs a turn of the microtask queue.
    let now = clock.now();
    if (leaseLapsed(ctx, ex, now)) {
      await confirmLease(ctx, ex);
      // A close that came while the leases were being renewed: as after the write of a start
      // (below), the attempt does not start; the step runs on the next start.
      if (leftForClose(ctx, ex, step)) return leftAsStored(rec);
      now = clock.now();
    }
    // A timeout passed, its timer not fired (as after a backoff, above): no attempt is recorded,
    // announced or counted. A first one too: a parallel step's branch starts after its siblings'
    // handlers ran up to their first await, which may have taken the step past its timeout.
    scope.expireIfLate(now);
    if (scope.aborted) return stopped(ctx, ex, rec);

    const resumed = resumedWait;
    resumedWait = false;
    if (!resumed) {
      rec = setRecord(ex, startAttempt(rec, now));
      // The retry rate is steps that needed a retry / steps run (SPEC §5): a step counts once per
      // visit, on its first attempt, and once more as retried when its first failure schedules a
      // retry (below).
      if (rec.attempts === 1) {
        ex.record.stepsRun++;
        ctx.metrics.stepRun(ex.record.workflowId);
      }
    }

    let input: unknown;
    let early: unknown = null;
    try {
      // An expression's result is fresh; the workflow input is copied so the handler may mutate
      // it (not for a built-in action: they only read it, and `noop`'s output is copied below).
      input = step.input
        ? step.input.evaluate(expressionScope(ex))
        : BUILTIN_ACTION_NAMES.has(step.action)
          ? ex.record.input
          : copyJson(ex.record.input);
      // Built-in actions (a `delay`'s wait is not even interrupted: see `waitsOnDelay`) and remote
      // workers' actions cannot take this process down: no limit.
      // (Checked in that order: nearly every attempt has no interruption at all.)
      const tooOften =
        rec.interruptions === undefined || BUILTIN_ACTION_NAMES.has(step.action) || runsOutOfProcess(handler)
          ? null
          : interruptionLimitError(
              `Step '${name}'`,
              countedInterruptions(rec),
              ctx.config.maxStepInterruptions,
            );
      if (tooOften) early = tooOften;
      else if (!handler) early = new ActionNotFoundError(step.action, ctx.actions.list());
      else if (step.action === 'delay' && rec.timerAt === null) {
        rec = setRecord(ex, { ...rec, timerAt: now + delayMs(delaySeconds(input)) });
      }
    } catch (error) {
      early = error;
    }
    if (resumed) {
      // Stored as it is; an early failure (its input no longer evaluates) is written with its end.
    } else if (early === null && (step.action === 'delay' || ex.storeStartsFirst)) {
      await persist(ctx, ex, [rec]);
      // A close (with a grace) that came while the start was being written: no step starts once
      // `close` was called, as the walk checks before each step. The attempt is left as a
      // shutdown leaves a running one, and the step runs on the next start (a `delay` goes on with
      // its wait there as this attempt, announced again by that process).
      if (leftForClose(ctx, ex, step)) return leftAsStored(rec);
    } else persistLater(ctx, ex, [rec]);
    const attempt = rec.attempts;
    // A `delay`'s attempt that goes on after a restart is announced again in this process, with its
    // attempt, as a resumed parallel step is: every end a process announces closes a start it did.
    if (ctx.events.has('step.started')) {
      const ref = stepRef(ex, step, attempt);
      ctx.events.emit('step.started', rec.interruptions ? { ...ref, interruptions: rec.interruptions } : ref);
      // A listener that called `close()` (synchronously): as after the write of a start, above.
      if (early === null && leftForClose(ctx, ex, step)) return leftAsStored(rec);
    }

    let result: AttemptResult;
    if (early !== null || !handler) result = { ok: false, error: early, timedOut: false, aborted: false };
    else {
      // A `delay` that goes on after a restart keeps its attempt's deadline, as it keeps its end
      // time (SPEC §6: timeouts are absolute times): its timeout counts from the attempt's stored
      // start. One its delay ends before cannot fire (both may have passed while no process ran it).
      let timeoutMs = step.timeoutMs;
      let since: number | undefined;
      if (resumed && timeoutMs !== null) {
        since = rec.history[rec.history.length - 1]?.startedAt ?? now;
        if (rec.timerAt !== null && rec.timerAt < since + timeoutMs) timeoutMs = null;
      }
      // `runAttempt` written out: its handler's promise is awaited here, not by an async function
      // of its own that this one would await in turn (an async call and an await less per step).
      const running = beginAttempt(
        handler,
        input,
        {
          executionId: ex.id,
          workflowId: ex.record.workflowId,
          stepName: name,
          attempt,
          idempotencyKey: idempotencyKey(ex.id, name, rec.visits),
          outputs: ex.outputs,
        },
        scope,
        timeoutMs,
        clock,
        outOfProcess,
        undefined,
        since,
      );
      if (running.race === null) {
        // (Settled already: a handler that returned a value or threw. Awaited all the same, as
        // `runAttempt`'s result is: the step goes on in a later microtask, as it always has.)
        result = await running.result!;
      } else {
        let settled = true;
        let value: unknown;
        try {
          value = await running.race;
        } catch (error) {
          settled = false;
          value = error;
        }
        result = finishRace(running, settled, value);
      }
    }
    const end = clock.now();
    const started = rec.history[rec.history.length - 1]?.startedAt ?? now;

    // The engine's own copy (the handler may keep and mutate the object it returned), checked in
    // the same walk: every store keeps outputs as JSON.
    const copy = result.ok ? tryCopyJson(result.output, MAX_OUTPUT_TEXT) : null;
    const text =
      !result.ok || copy === NOT_JSON
        ? 0
        : copy === TOO_LARGE
          ? Number.POSITIVE_INFINITY
          : copiedJsonText(copy, MAX_OUTPUT_TEXT);
    if (text > MAX_OUTPUT_TEXT) {
      // A write the store must refuse (a JSON text over what a string or a row can hold) would
      // leave the step to run again after every failed write: refused here instead.
      result = {
        ok: false,
        error: new NonRetryableError(
          `Step '${name}' returned a value too large to store: ${jsonSizeOverLimit(text, MAX_OUTPUT_TEXT)}`,
          { code: 'INVALID_OUTPUT' },
        ),
        timedOut: false,
        aborted: false,
      };
    } else if (result.ok && copy === NOT_JSON) {
      // Every store keeps outputs as JSON: refuse the value here, the same way on every store.
      const badOutput = findJsonProblem(result.output, 'output') ?? {
        path: 'output',
        message: 'cannot be stored as JSON',
      };
      result = {
        ok: false,
        error: new NonRetryableError(
          `Step '${name}' returned a value that cannot be stored: ${badOutput.path}: ${badOutput.message}`,
          { code: 'INVALID_OUTPUT' },
        ),
        timedOut: false,
        aborted: false,
      };
    }
    if (result.ok) {
      const output = copy ?? null;
      ex.storeStartsFirst = false;
      rec = setRecord(ex, withQueueWait(ex, completedRecord(ex, rec, now, end, output)));
      return { ok: true, rec, output };
    }
    if (result.aborted) return stopped(ctx, ex, rec);

    const error = stepErrorInfo(result.error, name);
    const failures = failuresSoFar(rec);
    if (isRetryable(result.error, step.retry, failures - 1) && step.retry) {
      const delay = retryDelayWith(nextRetryDelayMs(step.retry, failures), result.error);
      const retryAt = end + delay;
      // The step needed a retry once its first failure scheduled one, whether or not the retry
      // runs (a cancel or the workflow timeout may come first): counted here, at the moment
      // `step.failed` carries `retryAt` (Prometheus' step_retries_total), stored with the wait.
      // (An attempt cut short by its process stopping is no failure: the same attempt's failure
      // after the restart is still the first.)
      const firstRetry = failures === 1;
      if (firstRetry) ex.record.stepsRetried++;
      rec = setRecord(ex, {
        ...rec,
        status: 'waiting',
        error,
        nextAttemptAt: retryAt,
        // A `delay`'s retry waits its own delay from its own start: the timer is an attempt's (kept
        // across a restart of that attempt, not into the next).
        timerAt: null,
        history: endAttempt(rec.history, end, error, retryAt),
      });
      await persist(ctx, ex, [rec]);
      ex.progressed = true;
      if (firstRetry) ctx.metrics.stepRetried(ex.record.workflowId);
      ctx.events.emit(
        'step.failed',
        failedPayload(ex, step, attempt, error, elapsedMs(started, end), {
          retryAt: new Date(retryAt),
          delayMs: delay,
        }),
      );
      continue;
    }
    rec = setRecord(ex, withQueueWait(ex, failedRecord(rec, now, end, error)));
    unowe(ex, name);
    // Announced once stored, with the execution's end (see stored-ends.ts).
    const failed = failedPayload(ex, step, attempt, error, elapsedMs(started, end), NO_RETRY);
    afterEndWritten(ex, () => ctx.events.emit('step.failed', failed));
    return { ok: false, rec, error, stopped: false };
  }
}

/** The `step.failed` payload of a failed attempt; `retry` says when the next one is due, if one is. */
function failedPayload(
  ex: ActiveExecution,
  step: PlanActionStep,
  attempt: number,
  error: ErrorInfo,
  durationMs: number,
  retry: { retryAt?: Date; delayMs?: number },
) {
  return {
    ...stepRef(ex, step, attempt),
    // Listeners get their own copy of the error; the record keeps the engine's.
    error: { ...error },
    durationMs,
    ...retry,
  };
}

/** No retry is due (see `failedPayload`). */
const NO_RETRY: { retryAt?: Date; delayMs?: number } = Object.freeze({});

/** The fields that name a step attempt in its events. */
function stepRef(ex: ActiveExecution, step: PlanActionStep, attempt: number) {
  return {
    executionId: ex.id,
    workflowId: ex.record.workflowId,
    step: step.name,
    parent: step.parent ?? undefined,
    attempt,
  };
}

/**
 * Takes a step that ended without completing (failed for good, or stopped) out of the records a
 * write carries along (see `persistLater`): its end is written with its execution's (the runner
 * writes every step that did not complete when it compensates or ends it), never before by a
 * sibling branch's write or a background one. Stored ahead of it, a crash in between would leave a
 * running execution with this visit ended, which the restart would take for an earlier visit: the
 * step would run again as a new visit (`<step>#2`), under another idempotency key, with a fresh
 * retry budget. Left out, the restart runs the step again as the same visit, under its own key.
 */
function unowe(ex: ActiveExecution, name: string): void {
  ex.owedSteps.delete(name);
}

const CANCELLED: ErrorInfo = { code: 'CANCELLED', message: 'The step was stopped before it finished' };

/**
 * A step `close` left to the next start (see `leftForClose`): its record stays as stored, as a
 * shutdown leaves it, for the next start to resume.
 */
function leftAsStored(rec: StepRecord): StepOutcome {
  return { ok: false, rec, error: CANCELLED, stopped: true, left: true };
}

function stopped(ctx: EngineContext, ex: ActiveExecution, rec: StepRecord): StepOutcome {
  // A halt (shutdown, lost lease) leaves the record as stored so the next owner resumes it.
  if (ex.halted) return { ok: false, rec, error: CANCELLED, stopped: true };
  const now = ctx.clock.now();
  const error = { ...CANCELLED, step: rec.name };
  // Stopped before an attempt of this run started (`pending`): an attempt left open is the one
  // its process stopped in, marked INTERRUPTED when the step was entered (see `enterStep`); it
  // ended then, and is not closed as cancelled now.
  const history = rec.status === 'pending' ? rec.history : endAttempt(rec.history, now, error);
  const ended = withQueueWait(ex, cancelledRecord(rec, now, error, history));
  setRecord(ex, ended);
  unowe(ex, rec.name);
  // An attempt that was running, or a retry that was due, ends here: said so, so that every
  // step.started (and every retryAt) a listener saw is closed.
  if (rec.attempts > 0 && (rec.status === 'running' || rec.status === 'waiting')) {
    emitStepCancelled(ctx, ex, ended);
  }
  return { ok: false, rec: ended, error, stopped: true };
}
