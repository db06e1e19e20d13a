/**
 * What the engine tells the optimizer about one run of a step (SPEC §4: every step duration is
 * recorded), whether the step completed or failed for good: its duration, timeout, whether it
 * was retried, its longest attempt, the time between attempts and waiting for a remote worker,
 * the parallel step it is a branch of, and the definition version it ran.
 * @module
 */
import { elapsedMs } from '../clock.js';
import type { StepRunInfo } from '../performance/performance-optimizer.js';
import type { StepRecord } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';
import { failuresSoFar, longestAttemptMs, waitBetweenAttemptsMs } from './step-records.js';

/** Records one finished run of a step (or branch, when `parent` is given). */
export function recordStepTiming(
  ctx: EngineContext,
  ex: ActiveExecution,
  rec: StepRecord,
  timeoutMs: number | null,
  failed: boolean,
  parent?: string,
): void {
  const info = stepRunInfo(rec, timeoutMs, failed, parent, ex.record.workflowVersion);
  ctx.optimizer.recordStep(ex.record.workflowId, rec.name, rec.durationMs ?? 0, info);
}

/**
 * What the optimizer is told of one run of a step, from its record: the engine's as it runs, and
 * the store's figures (`stored-performance.ts`) as they read the record back.
 */
export function stepRunInfo(
  rec: StepRecord,
  timeoutMs: number | null,
  failed: boolean,
  parent: string | undefined,
  version: number,
): StepRunInfo {
  // Retried: an attempt followed a failed one (as the metrics' retry rate counts it). An attempt
  // cut short by its process stopping, run again after the restart, is no retry; but its time is
  // then no attempt's either, so the longest attempt is given whenever there were several.
  // One object of one shape per step (spreads of conditional parts would allocate each part too);
  // the optimizer reads an undefined `parent` or `attemptMs` as absent.
  return {
    timeoutMs,
    retried: failuresSoFar(rec) > 1,
    failed,
    parent,
    attemptMs: rec.attempts > 1 ? longestAttemptMs(rec) : undefined,
    waitMs: rec.attempts > 1 ? waitBetweenAttemptsMs(rec) : undefined,
    version,
    // Stored with the step's end (see `withQueueWait` in action-step.ts).
    queuedMs: rec.queuedMs,
  };
}

/**
 * Records the run of a step (or branch) that its execution's workflow timeout cut short, or a
 * branch its parallel step's timeout did (`stepTimedOut`), as failed, up to then: the time is that
 * step's. Nothing for other stops (a cancel is the user's choice, a failed sibling's stop is not the
 * branch's time, a shutdown or lost lease resumes the step elsewhere) or for a step that never
 * started.
 */
export function recordCutShortTiming(
  ctx: EngineContext,
  ex: ActiveExecution,
  rec: StepRecord,
  timeoutMs: number | null,
  parent?: string,
  stepTimedOut = false,
): void {
  if ((ex.stopReason !== 'timeout' && !stepTimedOut) || ex.halted || rec.startedAt === null) return;
  const durationMs = rec.durationMs ?? elapsedMs(rec.startedAt, ctx.clock.now());
  recordStepTiming(ctx, ex, { ...rec, durationMs }, timeoutMs, true, parent);
}
