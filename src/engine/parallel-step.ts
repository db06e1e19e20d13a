/**
 * Runs a parallel step: its branches concurrently, each committed when it completes (so a
 * restart reruns only the unfinished ones); the first branch to fail for good cancels its
 * siblings and fails the step.
 * @module
 */

import { elapsedMs, type TimerHandle, timerTimePassed } from '../clock.js';
import type { PlanActionStep, PlanParallelStep } from '../definition/types.js';
import { CancelledError, type ErrorInfo, LeaseLostError, StepTimeoutError } from '../errors.js';
import type { AttemptRecord, StepRecord } from '../store/store.js';
import { AbortScope } from './abort-scope.js';
import type { StepOutcome } from './action-step.js';
import { MAX_OUTPUT_TEXT, runActionStep } from './action-step.js';
import type { ActiveExecution } from './active-execution.js';
import { newStepRecord } from './active-execution.js';
import { type EngineContext, leftToRestart } from './context.js';
import { outputProblem } from './output-problem.js';
import { persist, persistLater } from './persist.js';
import { emitStepCancelled } from './step-cancelled.js';
import { emitStepCompleted } from './step-completed.js';
import { completedRecord, endAttempt, enterStep, failedRecord, keepCompletedVisit } from './step-records.js';
import { recordCutShortTiming, recordStepTiming } from './step-timing.js';
import { afterEndWritten } from './stored-ends.js';

export async function runParallelStep(
  ctx: EngineContext,
  ex: ActiveExecution,
  step: PlanParallelStep,
  entered: StepRecord,
  newVisit: boolean,
): Promise<StepOutcome> {
  const { clock } = ctx;
  const now = clock.now();
  // Timed out before a stop that came first here (see `ActiveExecution.stepTimedOut`).
  const timedOutBefore = ex.stepTimedOut;
  ex.stepTimedOut = false;
  // Branch records of an earlier visit, reset for this one: written with the step's own record,
  // so that no store holds this visit running beside a branch completed in the last one (which
  // a restart would take as done, and skip).
  const reset: StepRecord[] = [];
  if (newVisit) {
    for (const b of step.branches) {
      const prev = ex.steps.get(b.name);
      if (prev) {
        keepCompletedVisit(ex, prev);
        // A new visit of the branch too: its idempotency key and kept compensations are its own.
        const fresh = newStepRecord(ex.id, b.name, step.name, prev.visits + 1);
        // Its previous visit's output stays visible, as an ordinary step's does (see `enterStep`).
        if (prev.status === 'completed') fresh.previousOutput = prev.output;
        else delete ex.outputs[b.name];
        ex.steps.set(b.name, fresh);
        reset.push(fresh);
      }
    }
  }
  let rec: StepRecord = {
    ...entered,
    status: 'running',
    attempts: Math.max(1, entered.attempts),
    startedAt: entered.startedAt ?? now,
    history: entered.history.length > 0 ? resumedRun(entered.history) : [{ attempt: 1, startedAt: now }],
  };
  ex.steps.set(step.name, rec);
  persistLater(ctx, ex, reset.length > 0 ? [rec, ...reset] : [rec]);
  // Announced like an action's attempt, before its branches', so the step.completed or step.failed
  // that ends it closes a step a listener saw start.
  if (ctx.events.has('step.started')) {
    ctx.events.emit('step.started', {
      executionId: ex.id,
      workflowId: ex.record.workflowId,
      step: step.name,
      attempt: rec.attempts,
    });
  }

  const group = new AbortScope(ex.scope);
  // The step's timeout is an absolute time (from the stored start of this visit), so a restart
  // does not give it a fresh one; past it already, no branch starts another attempt.
  const timeoutMs = step.timeoutMs;
  let timer: TimerHandle | null = null;
  if (timeoutMs !== null) {
    const timeoutAt = (rec.startedAt ?? now) + timeoutMs;
    // The branches' signals abort with this (an Error, like every abort reason handlers see),
    // made only when the timeout fires: an Error's stack costs more than the rest of the step.
    const fire = () => group.abort(new StepTimeoutError(step.name, timeoutMs));
    if (timeoutAt <= now) fire();
    else {
      timer = clock.setTimer(fire, timeoutAt - now);
      // A branch's attempt that ends past the step's timeout before the timer fired (a stalled
      // event loop runs due timers list by list; a synchronous handler cannot be cut short) is cut
      // short by it all the same. Whole milliseconds, strictly later, as for an action's timeout.
      // (`expireIfLate` checks the workflow's deadline, the group's parent's, too: earliest first.)
      // (And past it by the timer's own time: a system clock stepped forward is no time it took.)
      const timerDue = timerTimePassed(clock, timeoutAt - now);
      group.setDeadline(timeoutAt, () => {
        if (timerDue()) fire();
      });
    }
  }

  let failure: Extract<StepOutcome, { ok: false }> | null = null;
  // Whether `close` left a branch to the next start before its attempt began (see `leftForClose`).
  let left = false;
  const runBranch = async (branch: PlanActionStep): Promise<void> => {
    try {
      const { rec: bEntered } = enterStep(ex, branch.name, step.name);
      const out = await runActionStep(ctx, ex, branch, bEntered, group);
      if (out.ok) {
        ex.outputs[branch.name] = out.output;
        await persist(ctx, ex, [out.rec]);
        ex.progressed = true;
        emitStepCompleted(ctx, ex, out.rec, step.name);
        recordStepTiming(ctx, ex, out.rec, branch.timeoutMs, false, step.name);
        return;
      }
      if (out.left) left = true;
      if (!out.stopped) {
        recordStepTiming(ctx, ex, out.rec, branch.timeoutMs, true, step.name);
      } else {
        // The group's only StepTimeoutError is the step's own timeout (see `timedOut` below).
        const stepTimedOut = group.reason instanceof StepTimeoutError;
        recordCutShortTiming(ctx, ex, out.rec, branch.timeoutMs, step.name, stepTimedOut);
      }
      if (!out.stopped && !failure) {
        failure = out;
        group.abort(
          new CancelledError(
            `Branch '${branch.name}' of parallel step '${step.name}' failed; its siblings are stopped`,
          ),
        );
      }
    } finally {
      // When the others only wait on timers and `close` was called, the execution halts now (see
      // `waitOnBranchTimer`); not when the branches are being stopped already (a failed sibling,
      // the step's timeout: that is recorded).
      ex.branchEnded(leftToRestart(ctx) && !group.aborted);
    }
  };
  // The branches to run (those that completed before a restart do not run again).
  const open = step.branches.filter((b) => ex.steps.get(b.name)?.status !== 'completed');
  ex.branchesStarted(open.length);
  try {
    await Promise.all(open.map(runBranch));
  } catch (error) {
    // A write failed (the runner gives the execution up, or another node took it over): the
    // branches still running are no longer wanted here. Told now, or they would run on unseen
    // next to their reruns when the execution is taken up again.
    group.abort(
      error instanceof LeaseLostError
        ? error
        : new CancelledError(
            `Parallel step '${step.name}' stopped: a write of its execution failed; it runs again from its stored state`,
          ),
    );
    throw error;
  } finally {
    timer?.cancel();
    // Its branches have ended: a handler that ignored its signal keeps no deadline (and what its
    // closure holds) alive.
    group.clearDeadline();
    group.dispose();
  }

  const end = clock.now();
  // Every branch completed (some before a restart): the step completed, whenever the timer fired.
  const allDone = step.branches.every((b) => ex.steps.get(b.name)?.status === 'completed');
  // The group's only StepTimeoutError is its own: the execution's scope and a failed sibling abort
  // it with other errors (a branch's own timeout aborts that branch's attempt, not the group).
  const timedOut =
    !allDone && (timedOutBefore || (group.aborted && group.reason instanceof StepTimeoutError));
  // A branch `close` left, its running siblings now ended (their grace): the execution halts for
  // the shutdown, and the step resumes on the next start with the branches that did not complete.
  // (Unless the step failed or timed out meanwhile, or its execution was stopped otherwise.)
  if (left && !timedOut && !failure && !ex.stopReason) ex.stop('shutdown');
  // Every branch completed before a cancel or the workflow timeout came (one that came while the
  // last branch's result was being written): the step completed, as a sequential step whose result
  // was taken before the stop, and is compensated with the rest; the walk stops after it. (A halt
  // writes nothing more: the next start finds every branch completed and completes the step.)
  if (ex.stopReason && !timedOut && !failure && (ex.halted || !allDone)) {
    const error: ErrorInfo = { code: 'CANCELLED', message: 'The step was stopped', step: step.name };
    // Stopped with its execution (not at shutdown: it resumes on the next start), after its
    // branches: closed as its status will show it, and said so (the runner writes it with its
    // execution's end; closed here, it is not announced again there).
    if (!ex.halted) {
      const stoppedError: ErrorInfo = { ...error, message: 'The step was stopped before it finished' };
      const durationMs = elapsedMs(rec.startedAt ?? now, end);
      const closed: StepRecord = {
        ...rec,
        status: 'cancelled',
        completedAt: end,
        durationMs,
        nextAttemptAt: null,
        error: stoppedError,
        history: endAttempt(rec.history, end, stoppedError),
      };
      ex.steps.set(step.name, closed);
      emitStepCancelled(ctx, ex, closed);
    }
    return { ok: false, rec, error, stopped: true };
  }
  const failed = failure as Extract<StepOutcome, { ok: false }> | null;
  const output: Record<string, unknown> = {};
  for (const b of step.branches) output[b.name] = ex.outputs[b.name] ?? null;
  const tooLarge = failed || timedOut ? null : unstorableOutput(step.name, output);
  if (failed || timedOut || tooLarge) {
    const error: ErrorInfo = failed
      ? failed.error
      : (tooLarge ?? {
          code: 'STEP_TIMEOUT',
          message: `Step '${step.name}' timed out after ${(step.timeoutMs ?? 0) / 1000}s`,
          step: step.name,
        });
    rec = failedRecord(rec, now, end, error);
    ex.steps.set(step.name, rec);
    // The step as a whole failed (its failed branch, if any, said so for itself), announced once
    // stored with the execution's end (see stored-ends.ts).
    const ended = {
      executionId: ex.id,
      workflowId: ex.record.workflowId,
      step: step.name,
      attempt: rec.attempts,
      error: { ...error },
      durationMs: rec.durationMs ?? 0,
    };
    afterEndWritten(ex, () => ctx.events.emit('step.failed', ended));
    return { ok: false, rec, error, stopped: false };
  }
  rec = completedRecord(ex, rec, now, end, output);
  ex.steps.set(step.name, rec);
  return { ok: true, rec, output };
}

/**
 * The error of a parallel step whose output — its branches' outputs together, each within the
 * limits — is over {@link MAX_OUTPUT_TEXT} characters of JSON text, or nests deeper than a stored
 * value may (a branch output 64 levels deep is 65 in the step's output), or null. Its record holds
 * that output: a write the durable stores must refuse (over what a string or a row holds) would
 * leave the execution to be taken up again, and refused again, for good, and a value too deep
 * made every later read of the execution (its status, a list it is in) throw; so it fails here,
 * as an action step's output over the limits does (INVALID_OUTPUT).
 */
function unstorableOutput(name: string, output: Record<string, unknown>): ErrorInfo | null {
  const problem = outputProblem(output);
  if (problem === null) return null;
  const why =
    problem.kind === 'json'
      ? `cannot be stored: ${problem.path}: ${problem.message}`
      : `are too large to store: ${problem.message}`;
  return {
    code: 'INVALID_OUTPUT',
    message: `Parallel step '${name}': its branches' outputs together ${why}`,
    step: name,
  };
}

/**
 * A parallel step's one run (its history's single entry), resumed after a restart: it goes on from
 * its stored start to the step's end. `enterStep` marked it `INTERRUPTED`, as an action's attempt
 * is, but the interruption is its branches' (each shows its own): kept, the mark became the error
 * of the run of a step that completed.
 */
function resumedRun(history: AttemptRecord[]): AttemptRecord[] {
  const last = history[history.length - 1];
  if (!last || last.completedAt !== undefined || last.error === undefined) return history;
  const { error: _interrupted, ...run } = last;
  return [...history.slice(0, -1), run];
}
