/**
 * The saga path: compensations of the completed steps, in reverse order of completion, each
 * retried with backoff and recorded, resumable after a crash. A compensation that fails for
 * good is recorded, raised as an alert, and the others still run.
 * @module
 */
import { elapsedMs, sleepUntil } from '../clock.js';
import type { RetryPolicy } from '../definition/types.js';
import { CompensationNotFoundError, type ErrorInfo } from '../errors.js';
import { copyJson } from '../json-value.js';
import { retryDelayWith } from '../recovery/retry-after.js';
import { isRetryable, nextRetryDelayMs } from '../recovery/retry-policy.js';
import type { CompensationRecord, StepRecord } from '../store/store.js';
import { idempotencyKey, stepErrorInfo } from './action-step.js';
import type { ActiveExecution } from './active-execution.js';
import { confirmLease, type EngineContext, leaseLapsed, leftToRestart } from './context.js';
import { persist, persistLater } from './persist.js';
import { runAttempt } from './step-attempt.js';
import {
  compensationAttemptOpen,
  countedInterruptions,
  failuresSoFar,
  interruptionLimitError,
  withInterruption,
} from './step-records.js';

/** Completed steps with a compensation still to run, in the order to run them. */
export function pendingCompensations(ex: ActiveExecution): StepRecord[] {
  const list: StepRecord[] = [];
  for (const rec of ex.steps.values()) {
    if (rec.status !== 'completed' || rec.completionSeq === null) continue;
    const planned = ex.plan.byName.get(rec.of ?? rec.name);
    if (!planned?.compensation) continue;
    if (rec.compensation && rec.compensation.status !== 'running') continue;
    list.push(rec);
  }
  return list.sort((a, b) => (b.completionSeq ?? 0) - (a.completionSeq ?? 0));
}

/** Runs every pending compensation. Returns false if a halt (shutdown, lost lease) stopped it. */
export async function runCompensations(ctx: EngineContext, ex: ActiveExecution): Promise<boolean> {
  for (const rec of pendingCompensations(ex)) {
    // A close with a grace period lets a running compensation finish, as a running step, but
    // starts no further one on a durable store: the saga resumes where it stopped on the next
    // start. (On the memory store nothing would resume it: the grace lets it go on.)
    if (leftToRestart(ctx)) ex.stop('shutdown');
    if (ex.halted) return false;
    if (!(await compensateStep(ctx, ex, rec))) return false;
  }
  return !ex.halted;
}

async function compensateStep(
  ctx: EngineContext,
  ex: ActiveExecution,
  stepRec: StepRecord,
): Promise<boolean> {
  const { clock, config } = ctx;
  // An earlier visit of a step (see `keepCompletedVisit`) is compensated as that step.
  const stepName = stepRec.of ?? stepRec.name;
  const planned = ex.plan.byName.get(stepName);
  const handlerName = planned?.compensation ?? '';
  const handler = ctx.errorRecovery.getCompensation(handlerName);
  // One attempt's limit: the step's own timeout, else the workflow's (its `timeout` option, which
  // defaults to the config's workflowTimeout).
  const timeoutMs = (planned && 'timeoutMs' in planned ? planned.timeoutMs : null) ?? ex.plan.timeoutMs;
  // Retried like a step with `retry: true` (the config's retryAttempts and retryDelay): a
  // NonRetryableError, or an error no retry can help (see NEVER_RETRIED_CODES), fails it at once.
  const policy: RetryPolicy = {
    maxAttempts: handler ? config.retryAttempts : 0,
    initialDelayMs: 1000,
    backoffCoefficient: 2,
    maxDelayMs: config.retryDelay * 1000,
    nonRetryable: [],
  };
  const scope = ex.haltScope;
  let rec = stepRec;
  const stored = rec.compensation;
  let comp: CompensationRecord = stored ?? {
    status: 'running',
    attempts: 0,
    startedAt: clock.now(),
  };
  // Resumed with an attempt that started and never ended: it was interrupted.
  if (compensationAttemptOpen(stored)) comp = withInterruption(comp, ex.retaken);
  const write = (c: CompensationRecord) => {
    comp = c;
    rec = { ...rec, compensation: c };
    ex.steps.set(rec.name, rec);
  };
  const ref = {
    executionId: ex.id,
    workflowId: ex.record.workflowId,
    step: stepName,
    parent: rec.parent ?? undefined,
  };

  for (;;) {
    const retryAt = comp.nextAttemptAt;
    if (retryAt !== undefined && retryAt > clock.now()) {
      try {
        // A retry's backoff, as an action step's: a close with a grace period does not wait it out
        // on a durable store (the stored time resumes it on the next start).
        await ex.waitOnTimer(leftToRestart(ctx), () => sleepUntil(clock, retryAt, scope.signal));
      } catch {
        return false;
      }
    }
    // A retry due already (its time passed while its failure was being written) has no timer to
    // halt on: as a waiting one, it starts no attempt once `close` was called (durable store).
    if (retryAt !== undefined && leftToRestart(ctx)) ex.stop('shutdown');
    if (leaseLapsed(ctx, ex)) {
      await confirmLease(ctx, ex);
      // A close that came while the leases were being renewed: the compensation does not start.
      if (leftToRestart(ctx)) ex.stop('shutdown');
    }
    if (ex.halted) return false;
    const attempt = comp.attempts + 1;
    // The last attempt's error and retry time belong to the retry wait, not to the attempt that
    // starts (as a step's: `startAttempt`); the `compensation.failed` event carried them.
    const { nextAttemptAt: _drop, error: _last, ...rest } = comp;
    write({ ...rest, status: 'running', attempts: attempt });
    if (ex.storeStartsFirst) {
      await persist(ctx, ex, [rec]);
      // A close that came while the start was being written: no compensation starts once `close`
      // was called (see `runCompensations`); the saga goes on here on the next start.
      if (leftToRestart(ctx)) ex.stop('shutdown');
      if (ex.halted) return false;
    } else persistLater(ctx, ex, [rec]);
    ctx.events.emit(
      'compensation.started',
      comp.interruptions ? { ...ref, attempt, interruptions: comp.interruptions } : { ...ref, attempt },
    );
    // A listener that called `close()` (synchronously): as after the write of a start, above, the
    // handler does not start; the attempt is left as a shutdown leaves a running one.
    if (leftToRestart(ctx)) ex.stop('shutdown');
    if (ex.halted) return false;

    const tooOften = interruptionLimitError(
      `Compensation of step '${stepName}'`,
      countedInterruptions(comp),
      config.maxStepInterruptions,
    );
    const result = tooOften
      ? { ok: false as const, error: tooOften, timedOut: false, aborted: false }
      : handler
        ? await runAttempt(
            handler,
            copyJson(rec.output),
            {
              executionId: ex.id,
              workflowId: ex.record.workflowId,
              stepName,
              attempt,
              // The key of the visit it undoes, plus `:compensate`: stable across attempts
              // and restarts, whether or not a later visit moved this one to `<name>#<visit>`.
              idempotencyKey: `${idempotencyKey(ex.id, stepName, rec.visits)}:compensate`,
              outputs: ex.outputs,
            },
            scope,
            timeoutMs,
            clock,
            undefined,
            // A timeout names the compensation: the step it undoes completed.
            `Compensation of step '${stepName}'`,
          )
        : {
            ok: false as const,
            error: new CompensationNotFoundError(
              handlerName,
              stepName,
              ctx.errorRecovery.listCompensations(),
            ),
            timedOut: false,
            aborted: false,
          };
    if (ex.halted) return false;
    const end = clock.now();
    if (result.ok) {
      // A failed attempt's error belongs to a retry wait; a completed compensation has none.
      const { error: _failed, ...done } = comp;
      write({ ...done, status: 'completed', completedAt: end });
      ex.record.compensatedSteps = [...ex.record.compensatedSteps, stepName];
      await persist(ctx, ex, [rec]);
      ex.progressed = true;
      // The compensation's whole time, from its first attempt (retry waits included), as a step's
      // on step.completed and the optimizer's compensation time.
      ctx.events.emit('compensation.completed', {
        ...ref,
        attempt,
        durationMs: elapsedMs(comp.startedAt, end),
      });
      recordCompensationTiming(ctx, ex, stepName, comp.startedAt, end);
      return true;
    }
    const error: ErrorInfo = stepErrorInfo(result.error, stepName);
    const failures = failuresSoFar(comp);
    if (!tooOften && isRetryable(result.error, policy, failures - 1)) {
      const delay = retryDelayWith(nextRetryDelayMs(policy, failures), result.error);
      const nextAttemptAt = end + delay;
      write({ ...comp, error, nextAttemptAt });
      await persist(ctx, ex, [rec]);
      ex.progressed = true;
      ctx.events.emit('compensation.failed', {
        ...ref,
        attempt,
        error: { ...error },
        final: false,
        retryAt: new Date(nextAttemptAt),
        delayMs: delay,
      });
      continue;
    }
    write({ ...comp, status: 'failed', completedAt: end, error });
    await persist(ctx, ex, [rec]);
    ex.progressed = true;
    ctx.events.emit('compensation.failed', { ...ref, attempt, error: { ...error }, final: true });
    recordCompensationTiming(ctx, ex, stepName, comp.startedAt, end);
    ctx.alerts.onCompensationFailed(ex.record.workflowId, ex.id, stepName, error.message);
    return true;
  }
}

/** Tells the optimizer how long one compensation took, from its first attempt to its end. */
function recordCompensationTiming(
  ctx: EngineContext,
  ex: ActiveExecution,
  stepName: string,
  startedAt: number,
  end: number,
): void {
  ctx.optimizer.recordCompensation(ex.record.workflowId, stepName, elapsedMs(startedAt, end), {
    version: ex.record.workflowVersion,
  });
}
