/**
 * Drives one execution from its stored position to a terminal state: walks the plan (actions,
 * conditions, parallel steps), commits each step's result with the next position before the
 * next step starts, enforces the workflow deadline, and on failure, timeout or cancellation
 * runs the saga. Recovery runs the same code from the stored position.
 * @module
 */
import { elapsedMs, type TimerHandle } from '../clock.js';
import { evaluateCondition } from '../definition/expression.js';
import type { PlanConditionStep } from '../definition/types.js';
import { type ErrorInfo, LeaseLostError, toError } from '../errors.js';
import type { StepRecord } from '../store/store.js';
import { runActionStep, stepErrorInfo } from './action-step.js';
import type { ActiveExecution } from './active-execution.js';
import { pendingCompensations, runCompensations } from './compensation.js';
import { confirmLease, type EngineContext, leaseLapsed } from './context.js';
import { expressionScope } from './expression-scope.js';
import { announceFinished, type FinalState } from './finished.js';
import { runParallelStep } from './parallel-step.js';
import { logLeaseLost, persist, persistChange, persistLater, stateFields } from './persist.js';
import { endQueued, expiredBeforeStart, queuedTimeoutError } from './queued-end.js';
import { markResumedStepTimeout } from './resumed-step-timeout.js';
import { emitStepCancelled } from './step-cancelled.js';
import { emitStepCompleted } from './step-completed.js';
import {
  cancelledRecord,
  endAttempt,
  enterStep,
  excuseStopped,
  interruptedHistory,
  waitsOnDelay,
} from './step-records.js';
import { recordCutShortTiming, recordStepTiming } from './step-timing.js';
import { afterEndWritten, announceStoredEnds, dropUnstoredEnds } from './stored-ends.js';

/** An execution that makes more step transitions than this fails with `LOOP_LIMIT`. */
export const LOOP_LIMIT = 10_000;

type WalkOutcome =
  | { kind: 'completed'; last: StepRecord | null }
  | { kind: 'failed'; error: ErrorInfo }
  | { kind: 'stopped' };

/**
 * How the runner left an execution: terminal; halted (shutdown / lost lease) for the next owner;
 * or abandoned after a store failure, still owned by this node, to be taken up again.
 */
export type RunResult = 'finished' | 'halted' | 'abandoned';

/** Whether `drive` left `ex` (with `result`) for a shutdown: see {@link leaveForShutdown}. */
export function leftForShutdown(ex: ActiveExecution, result: RunResult): boolean {
  return result === 'halted' && ex.halted === 'shutdown';
}

/**
 * A shutdown leaves the execution to whoever runs it next: what it owed (an attempt that
 * started, see `persistLater`) is written first, so the next run counts that attempt, and the
 * attempts it stopped are excused from `maxStepInterruptions` (not a crash of the step's doing).
 * Never throws.
 */
export async function leaveForShutdown(ctx: EngineContext, ex: ActiveExecution): Promise<void> {
  const excused = excuseStopped(ex);
  if (excused.length > 0 || ex.owesWrite) {
    await persist(ctx, ex, excused.length > 0 ? excused : null).catch((error: unknown) => {
      ctx.logger.warn({ executionId: ex.id, err: toError(error) }, 'last write before shutdown failed');
    });
  }
}

/**
 * Runs an execution this node holds, to its end or until it stops (see {@link RunResult}); a run a
 * shutdown stopped is then left with {@link leaveForShutdown} (the scheduler calls both). Never throws.
 */
export async function runExecution(ctx: EngineContext, ex: ActiveExecution): Promise<RunResult> {
  let deadline: TimerHandle | null = null;
  try {
    // Its workflow's timeout passed while it waited for a slot, the queue's deadline timer not
    // fired yet (a stalled event loop runs due timers list by list): it ends as that timer would
    // end it, never started.
    if (expiredBeforeStart(ex, ctx.clock.now())) {
      await endQueued(ctx, ex, queuedTimeoutError(ex));
      return 'finished';
    }
    begin(ctx, ex);
    const r = ex.record;
    // Its parallel step's timeout passed while it waited for a slot, before anything stopped it:
    // that step fails first, whatever stops it from here (the workflow's later deadline, a stored
    // cancel request), as the step's timer would have failed it had it run.
    if (!ex.stopReason) markResumedStepTimeout(ex, ctx.clock.now());
    if (r.deadlineAt !== null && r.status !== 'compensating') deadline = armDeadline(ctx, ex, r.deadlineAt);
    if (r.cancelRequested && r.status === 'running') ex.stop('cancel');
    if (r.status === 'compensating') return await compensateAndFinish(ctx, ex);

    const outcome = await walk(ctx, ex);
    if (ex.halted) {
      dropUnstoredEnds(ex);
      return 'halted';
    }
    if (outcome.kind === 'completed') {
      await finish(ctx, ex, 'completed', null, outcome.last ? [outcome.last] : [], outcome.last);
      return 'finished';
    }
    if (outcome.kind === 'failed') return await failExecution(ctx, ex, outcome.error, 'failed');
    if (ex.stopReason === 'cancel') return await failExecution(ctx, ex, null, 'cancelled');
    const current = ex.plan.steps[r.cursor]?.name;
    const seconds = ex.timeoutMs / 1000;
    return await failExecution(
      ctx,
      ex,
      {
        code: 'WORKFLOW_TIMEOUT',
        message: `Workflow timed out after ${seconds}s`,
        ...(current ? { step: current } : {}),
      },
      'failed',
    );
  } catch (error) {
    // Not stored: the next run ends those steps again, and says so (see stored-ends.ts).
    dropUnstoredEnds(ex);
    if (error instanceof LeaseLostError || ex.halted === 'lease') {
      ex.stop(ex.halted ?? 'lease');
      logLeaseLost(ctx, ex);
      return 'halted';
    }
    if (ex.halted === 'shutdown') {
      // The node closes: the execution is left to be resumed from what is stored, as it would be
      // had the write succeeded. No other node took it (that would be a LeaseLostError).
      ctx.logger.warn(
        { executionId: ex.id, err: toError(error) },
        'store failed during shutdown; the execution resumes from what is stored',
      );
      return 'halted';
    }
    // The store failed (disk full, connection lost, ...): the stored state is still valid, so
    // leave the execution to be resumed from it rather than guess at a terminal state.
    ctx.logger.error(
      { executionId: ex.id, err: toError(error) },
      'store write failed; execution will be resumed',
    );
    return 'abandoned';
  } finally {
    deadline?.cancel();
  }
}

/**
 * Stops `ex` with a timeout once the clock's `now()` reaches `at` (at once if it has): a timer that
 * fires early by `now()` (see `sleepUntil`) is armed again for the rest. An attempt that ends past
 * `at` before the timer fired (a stalled event loop runs due timers list by list; a synchronous
 * handler cannot be cut short) stops it all the same, strictly later in whole milliseconds (see
 * `AbortScope.expireIfLate`): its result is not taken.
 */
function armDeadline(ctx: EngineContext, ex: ActiveExecution, at: number): TimerHandle {
  let timer: TimerHandle | null = null;
  const arm = () => {
    const left = at - ctx.clock.now();
    if (left <= 0) ex.stop('timeout');
    else timer = ctx.clock.setTimer(arm, left);
  };
  arm();
  ex.scope.setDeadline(at, () => ex.stop('timeout'));
  return {
    cancel: () => {
      timer?.cancel();
      ex.scope.clearDeadline();
    },
  };
}

function begin(ctx: EngineContext, ex: ActiveExecution): void {
  const r = ex.record;
  r.workerId = ctx.cluster
    ? ctx.loadBalancer.attach(ex.id, ctx.nodeId)
    : ctx.loadBalancer.assignWorkflow(ex.id);
  const from = r.status;
  if (r.status === 'pending') {
    r.status = 'running';
    r.startedAt = ctx.clock.now();
  }
  ctx.metrics.transition(r.workflowId, from, r.status);
  persistLater(ctx, ex, null);
  if (!ctx.events.has('execution.started')) return;
  ctx.events.emit('execution.started', {
    executionId: ex.id,
    workflowId: r.workflowId,
    workerId: r.workerId,
    resumed: ex.resumed,
  });
}

async function walk(ctx: EngineContext, ex: ActiveExecution): Promise<WalkOutcome> {
  const { plan } = ex;
  const r = ex.record;
  for (;;) {
    if (ctx.lifecycle.draining) ex.stop('shutdown');
    // Past the workflow's timeout though its timer has not fired: no further step (see `armDeadline`).
    const now = ctx.clock.now();
    ex.scope.expireIfLate(now);
    // A parallel step that timed out before the stop came is entered to fail (see `stepTimedOut`);
    // one whose branches all completed before it (a restart found it so) is entered to complete.
    if (ex.stopReason && (ex.halted || !(ex.stepTimedOut || branchesDone(ex)))) return { kind: 'stopped' };
    const step = plan.steps[r.cursor];
    if (!step) return { kind: 'completed', last: null };
    if (step.kind !== 'condition' && leaseLapsed(ctx, ex, now)) {
      // A step that starts handlers (a parallel step's branches all at once) confirms the leases
      // first when they may have lapsed; then the checks above again: a close (or a cancel) may
      // have come meanwhile.
      await confirmLease(ctx, ex);
      continue;
    }
    if (++r.transitions > LOOP_LIMIT) {
      return {
        kind: 'failed',
        error: {
          code: 'LOOP_LIMIT',
          message: `Execution made more than ${LOOP_LIMIT} step transitions`,
          step: step.name,
        },
      };
    }
    if (step.kind === 'condition') {
      const error = decide(ctx, ex, step);
      if (error) return { kind: 'failed', error };
      continue;
    }
    const { rec, newVisit } = enterStep(ex, step.name, null);
    const out =
      step.kind === 'action'
        ? await runActionStep(ctx, ex, step, rec, ex.scope)
        : await runParallelStep(ctx, ex, step, rec, newVisit);
    if (!out.ok) {
      if (out.stopped) {
        recordCutShortTiming(ctx, ex, out.rec, step.timeoutMs);
        return { kind: 'stopped' };
      }
      recordStepTiming(ctx, ex, out.rec, step.timeoutMs, true);
      return { kind: 'failed', error: out.error };
    }
    ex.outputs[step.name] = out.output;
    r.cursor++;
    r.lastStep = step.name;
    recordStepTiming(ctx, ex, out.rec, step.timeoutMs, false);
    // The last step's result is committed together with the terminal state; unless a stop came
    // meanwhile (while the last branch of a parallel step was being written): it is committed
    // here, and the execution stops as it would have after any other step.
    if (r.cursor >= plan.steps.length && !ex.stopReason) return { kind: 'completed', last: out.rec };
    await persist(ctx, ex, [out.rec]);
    ex.progressed = true;
    emitStepCompleted(ctx, ex, out.rec);
  }
}

/**
 * Whether the step at the cursor is a parallel step stored running whose branches have all
 * completed: it completed before anything stopped its execution, and only its own record is left
 * to write (a restart came in between).
 */
function branchesDone(ex: ActiveExecution): boolean {
  const step = ex.plan.steps[ex.record.cursor];
  if (step?.kind !== 'parallel' || ex.steps.get(step.name)?.status !== 'running') return false;
  return step.branches.every((b) => ex.steps.get(b.name)?.status === 'completed');
}

/** Evaluates a condition and moves the cursor; the decision is recorded so recovery reuses it. */
function decide(ctx: EngineContext, ex: ActiveExecution, step: PlanConditionStep): ErrorInfo | null {
  const { rec } = enterStep(ex, step.name, null);
  const now = ctx.clock.now();
  let value: boolean;
  try {
    value = evaluateCondition(step.condition, expressionScope(ex));
  } catch (error) {
    const info = { ...stepErrorInfo(error, step.name), code: 'EXPRESSION_ERROR' };
    ex.steps.set(step.name, {
      ...rec,
      status: 'failed',
      attempts: 1,
      startedAt: now,
      completedAt: now,
      durationMs: 0,
      error: info,
      history: [{ attempt: 1, startedAt: now, completedAt: now, error: info }],
    });
    // Stored with the execution's end, and announced then (see stored-ends.ts).
    const failed = {
      executionId: ex.id,
      workflowId: ex.record.workflowId,
      step: step.name,
      attempt: 1,
      error: { ...info },
      durationMs: 0,
    };
    afterEndWritten(ex, () => ctx.events.emit('step.failed', failed));
    return info;
  }
  const target = value ? step.thenIndex : step.elseIndex;
  const decision = value ? 'then' : 'else';
  const decided: StepRecord = {
    ...rec,
    status: 'completed',
    attempts: 1,
    startedAt: now,
    completedAt: now,
    durationMs: 0,
    decision,
    history: [{ attempt: 1, startedAt: now, completedAt: now }],
  };
  ex.steps.set(step.name, decided);
  ex.record.cursor = target ?? ex.record.cursor + 1;
  // Not awaited: a lost decision is re-evaluated on recovery from the same durable outputs.
  persistLater(ctx, ex, [decided]);
  ctx.events.emit('step.decided', {
    executionId: ex.id,
    workflowId: ex.record.workflowId,
    step: step.name,
    decision,
    next: ex.plan.steps[ex.record.cursor]?.name ?? null,
  });
  return null;
}

/**
 * Step records to write when the execution leaves the normal path: every step that did not
 * complete. Steps still open (running, waiting for a retry, or never started again after a
 * restart) are closed as cancelled first, so a finished execution has no running step.
 *
 * An action step (or branch) still `running` here was never taken up again by this run: every
 * attempt this run started ended (completed, failed, or stopped as cancelled). It is the step
 * stored as running when its process stopped (the execution ended on resume before reaching it:
 * its workflow timeout passed meanwhile, or it was cancelled). Its attempt ended then, not now:
 * marked `INTERRUPTED`, as when the step runs again (`enterStep`), not closed as cancelled now
 * after running through all the time no process was up.
 */
function nonCompleted(ctx: EngineContext, ex: ActiveExecution): StepRecord[] {
  const now = ctx.clock.now();
  const list: StepRecord[] = [];
  // Parallel steps closed here, announced after their branches (as when stopped while they run).
  const parallel: StepRecord[] = [];
  for (const s of ex.steps.values()) {
    if (s.status === 'completed') continue;
    if (s.status === 'running' || s.status === 'waiting' || s.status === 'pending') {
      const error = { code: 'CANCELLED', message: 'The step was stopped before it finished', step: s.name };
      const kind = ex.plan.byName.get(s.name)?.kind;
      const action = kind === 'action';
      // (A `delay`'s wait went on while no process ran it: it ends now, as a backoff does.)
      const cutShort = s.status === 'running' && action && !waitsOnDelay(s);
      // CANCELLED, as a step stopped in its backoff while the execution ran (`stopped`): one that
      // waited for its retry kept its last failure as the error of a cancelled step (that failure
      // stays in its history).
      const history = cutShort ? interruptedHistory(s.history) : endAttempt(s.history, now, error);
      const closed = cancelledRecord(s, now, error, history);
      ex.steps.set(s.name, closed);
      list.push(closed);
      // A step left open by an earlier run — its execution ended on resume before it went on — or
      // a branch a `close` left as stored: every step this run stopped was closed (and announced)
      // then (`stopped`, `runParallelStep`). Said here as there, so that the step's end is
      // announced as it is stored (and a `retryAt` a listener saw is closed).
      if (s.attempts > 0 && s.status !== 'pending') {
        if (action) emitStepCancelled(ctx, ex, closed);
        else if (kind === 'parallel') parallel.push(closed);
      }
    } else list.push(s);
  }
  for (const p of parallel) emitStepCancelled(ctx, ex, p);
  return list;
}

async function failExecution(
  ctx: EngineContext,
  ex: ActiveExecution,
  error: ErrorInfo | null,
  outcome: 'failed' | 'cancelled',
): Promise<RunResult> {
  const r = ex.record;
  if (ctx.config.enableCompensation && pendingCompensations(ex).length > 0) {
    // Step names, once per visit to compensate (an earlier visit's record is `<name>#<visit>`).
    const steps = pendingCompensations(ex).map((s) => s.of ?? s.name);
    const before = stateFields(ex);
    r.status = 'compensating';
    r.error = error;
    r.outcome = outcome;
    r.compensated = true;
    await persistChange(ctx, ex, nonCompleted(ctx, ex), before);
    announceStoredEnds(ex);
    ctx.metrics.transition(r.workflowId, 'running', 'compensating');
    ctx.events.emit('execution.compensating', {
      executionId: ex.id,
      workflowId: r.workflowId,
      error: error ? { ...error } : { code: 'CANCELLED', message: 'Execution was cancelled' },
      steps,
    });
    return compensateAndFinish(ctx, ex);
  }
  await finish(ctx, ex, outcome, error, nonCompleted(ctx, ex));
  return 'finished';
}

async function compensateAndFinish(ctx: EngineContext, ex: ActiveExecution): Promise<RunResult> {
  if (!(await runCompensations(ctx, ex))) return 'halted';
  await finish(ctx, ex, ex.record.outcome ?? 'failed', ex.record.error, []);
  return 'finished';
}

async function finish(
  ctx: EngineContext,
  ex: ActiveExecution,
  status: FinalState,
  error: ErrorInfo | null,
  steps: StepRecord[],
  lastStep: StepRecord | null = null,
): Promise<void> {
  const r = ex.record;
  const from = r.status;
  const now = ctx.clock.now();
  const before = stateFields(ex);
  r.status = status;
  r.completedAt = now;
  r.error = error;
  r.outcome = null;
  await persistChange(ctx, ex, steps.length > 0 ? steps : null, before);
  // The ends of the steps that did not complete, stored with it (see stored-ends.ts).
  announceStoredEnds(ex);
  // The last step's result is committed with the terminal state; announce it before the end.
  if (lastStep) emitStepCompleted(ctx, ex, lastStep);
  const durationMs = elapsedMs(r.startedAt ?? r.createdAt, now);
  // How long it waited for a free slot (none recorded for one that never started).
  const pendingMs = r.startedAt === null ? undefined : elapsedMs(r.createdAt, r.startedAt);
  ctx.optimizer.recordExecution(r.workflowId, durationMs, r.workflowVersion, pendingMs);
  announceFinished(ctx, ex, from, status, error, durationMs);
}
