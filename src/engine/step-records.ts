/**
 * Pure transitions of step records: entering a step (new visit or resumed), starting and
 * ending attempts. Records are replaced, never mutated, so a record handed to the store
 * stays as it was written.
 * @module
 */
import { elapsedMs } from '../clock.js';
import { type ErrorInfo, NonRetryableError } from '../errors.js';
import type { AttemptRecord, CompensationRecord, StepRecord } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import { newStepRecord } from './active-execution.js';
import { FINAL_STEP_STATES } from './status.js';

/** Attempts kept per step visit (a long retry loop keeps the newest). */
const HISTORY_LIMIT = 50;

const INTERRUPTED: ErrorInfo = {
  code: 'INTERRUPTED',
  message: 'The node running this attempt stopped before it finished',
};

/**
 * The error of a step (`what`: "Step 'x'" or "Compensation of step 'x'") cut short `count`
 * times, when that reaches `limit` (`maxStepInterruptions`; 0: no limit): it is not run again, so a
 * step that takes its process down cannot do so forever. Null while it may run.
 */
export function interruptionLimitError(what: string, count: number, limit: number): Error | null {
  if (limit === 0 || count < limit) return null;
  return new NonRetryableError(
    `${what} was cut short ${count} times by its process stopping while it ran (maxStepInterruptions: ${limit}); it is not run again`,
    { code: 'INTERRUPTION_LIMIT' },
  );
}

/** What steps and compensations share in counting their attempts (`StepRecord`, `CompensationRecord`). */
interface Attempts {
  attempts: number;
  interruptions?: number;
  excused?: number;
}

/**
 * Interruptions of a step or compensation that count against `maxStepInterruptions`: those of
 * its process stopping, not the excused ones (a clean shutdown, or a run a node took up again
 * itself after a store failure).
 */
export function countedInterruptions(rec: Attempts): number {
  return (rec.interruptions ?? 0) - (rec.excused ?? 0);
}

/**
 * `rec` with one more interruption (its stored attempt never ended); `excused` when this node took
 * the execution up again itself after a store failure (its process did not stop).
 */
export function withInterruption<T extends Attempts>(rec: T, excused: boolean): T {
  const out: T = { ...rec, interruptions: (rec.interruptions ?? 0) + 1 };
  return excused ? withExcuse(out) : out;
}

/** `rec` with one more excused interruption (see {@link countedInterruptions}). */
function withExcuse<T extends Attempts>(rec: T): T {
  return { ...rec, excused: (rec.excused ?? 0) + 1 };
}

/** Whether a compensation's latest attempt started and never ended (no retry time was set). */
export function compensationAttemptOpen(c: CompensationRecord | null): c is CompensationRecord {
  return c !== null && c.status === 'running' && c.attempts > 0 && c.nextAttemptAt === undefined;
}

/**
 * At a clean shutdown, before the last write: marks the steps and compensations stopped while
 * running as excused, so that the next run, which counts them as interrupted, does not count them
 * against `maxStepInterruptions` (the step did not take its process down). Returns the records
 * it changed.
 */
export function excuseStopped(ex: ActiveExecution): StepRecord[] {
  const changed: StepRecord[] = [];
  for (const rec of ex.steps.values()) {
    // (A `delay`'s wait is no run its stopping cuts short: see `waitsOnDelay`.)
    let next = rec.status === 'running' && !waitsOnDelay(rec) ? withExcuse(rec) : rec;
    if (compensationAttemptOpen(rec.compensation)) {
      next = { ...next, compensation: withExcuse(rec.compensation) };
    }
    if (next === rec) continue;
    ex.steps.set(rec.name, next);
    changed.push(next);
  }
  return changed;
}

/**
 * Whether `rec`, stored running, is a `delay` waiting on its stored timer (only a `delay`'s attempt
 * sets `timerAt`, before its start is written). Its process stopping does not cut that wait short:
 * like a retry's backoff it is a durable timer, which the next run goes on waiting for as the same
 * attempt — no interruption, no new attempt (see `runActionStep`).
 */
export function waitsOnDelay(rec: StepRecord): boolean {
  return rec.status === 'running' && rec.timerAt !== null;
}

/**
 * Enters a step: a fresh record on the first visit, a new visit when the previous one ended
 * (a jump came back), or the stored in-progress visit after a restart, with the interrupted
 * attempt marked (a `delay`'s wait is not: see `waitsOnDelay`).
 */
export function enterStep(
  ex: ActiveExecution,
  name: string,
  parent: string | null,
): { rec: StepRecord; newVisit: boolean } {
  const prev = ex.steps.get(name);
  if (!prev) {
    const rec = newStepRecord(ex.id, name, parent, 1);
    ex.steps.set(name, rec);
    return { rec, newVisit: true };
  }
  if (FINAL_STEP_STATES.has(prev.status)) {
    keepCompletedVisit(ex, prev);
    const rec = newStepRecord(ex.id, name, parent, prev.visits + 1);
    // The previous visit's output stays visible to expressions (a loop whose step feeds itself
    // through `result`), stored with the new visit so that a restart sees it too.
    if (prev.status === 'completed') rec.previousOutput = prev.output;
    else delete ex.outputs[name];
    ex.steps.set(name, rec);
    return { rec, newVisit: true };
  }
  if (prev.status === 'running' && !waitsOnDelay(prev)) {
    const history = interruptedHistory(prev.history);
    const rec = withInterruption({ ...prev, status: 'pending' as const, history }, ex.retaken);
    ex.steps.set(name, rec);
    return { rec, newVisit: false };
  }
  return { rec: prev, newVisit: false };
}

/**
 * Before a new visit replaces the record of a completed one: if the step has a compensation not
 * run yet, the completed visit is kept under its own name (`<name>#<visit>`, which no step can
 * be named), written with the execution's next write, so that a failure compensates it too.
 */
export function keepCompletedVisit(ex: ActiveExecution, prev: StepRecord): void {
  if (prev.status !== 'completed' || prev.completionSeq === null || prev.compensation !== null) return;
  if (!ex.plan.byName.get(prev.name)?.compensation) return;
  const name = `${prev.name}#${prev.visits}`;
  ex.steps.set(name, { ...prev, name, of: prev.name });
  ex.owedSteps.add(name);
}

/**
 * `history` with its newest attempt, if it never ended (its step was stored as running), marked as
 * cut short by its process stopping: `INTERRUPTED`, left without an end (when it ended is not known).
 */
export function interruptedHistory(history: AttemptRecord[]): AttemptRecord[] {
  const last = history[history.length - 1];
  if (!last || last.completedAt !== undefined) return history;
  return [...history.slice(0, -1), { ...last, error: INTERRUPTED }];
}

/** The record of a newly started attempt. */
export function startAttempt(rec: StepRecord, now: number): StepRecord {
  const attempt = rec.attempts + 1;
  const entry: AttemptRecord = { attempt, startedAt: now };
  // (A first attempt's history is made at its size: a copy grown by a push takes more room.)
  let history: AttemptRecord[];
  if (rec.history.length === 0) history = [entry];
  else {
    history = rec.history.length >= HISTORY_LIMIT ? rec.history.slice(1) : rec.history.slice();
    history.push(entry);
  }
  return {
    ...rec,
    status: 'running',
    attempts: attempt,
    startedAt: rec.startedAt ?? now,
    nextAttemptAt: null,
    error: null,
    history,
  };
}

/** Closes the newest history entry. */
export function endAttempt(
  history: AttemptRecord[],
  now: number,
  error?: ErrorInfo,
  retryAt?: number,
): AttemptRecord[] {
  const last = history[history.length - 1];
  if (!last || last.completedAt !== undefined) return history;
  // Written out, not `{ ...last, completedAt }`: V8 (Node 20) takes a slow path for a spread that
  // adds a key its source lacks, ~1 µs against ~20 ns, and this runs for every attempt.
  const closed: AttemptRecord = { attempt: last.attempt, startedAt: last.startedAt, completedAt: now };
  const why = error ?? last.error;
  if (why) closed.error = why;
  const at = retryAt ?? last.retryAt;
  if (at !== undefined) closed.retryAt = at;
  const out = history.slice();
  out[out.length - 1] = closed;
  return out;
}

/**
 * `rec` completed at `end` with `output`, numbered in the order its execution's steps complete:
 * its visit lasted from its start (`now` for one without) to `end`, its attempt closed then.
 */
export function completedRecord(
  ex: ActiveExecution,
  rec: StepRecord,
  now: number,
  end: number,
  output: unknown,
): StepRecord {
  return {
    ...rec,
    status: 'completed',
    completedAt: end,
    durationMs: elapsedMs(rec.startedAt ?? now, end),
    output,
    error: null,
    completionSeq: ++ex.record.completionSeq,
    history: endAttempt(rec.history, end),
  };
}

/** `rec` failed at `end` with `error`, for good (no retry): its visit and attempt as in {@link completedRecord}. */
export function failedRecord(rec: StepRecord, now: number, end: number, error: ErrorInfo): StepRecord {
  return {
    ...rec,
    status: 'failed',
    completedAt: end,
    durationMs: elapsedMs(rec.startedAt ?? now, end),
    error,
    history: endAttempt(rec.history, end, error),
  };
}

/**
 * `rec` closed as cancelled at `now` with `error` and `history` (its open attempt closed, or
 * left as it was): its visit lasted from its start to `now`, no time for one that never started.
 */
export function cancelledRecord(
  rec: StepRecord,
  now: number,
  error: ErrorInfo,
  history: AttemptRecord[],
): StepRecord {
  return {
    ...rec,
    status: 'cancelled',
    completedAt: now,
    durationMs: rec.startedAt === null ? null : elapsedMs(rec.startedAt, now),
    nextAttemptAt: null,
    error,
    history,
  };
}

/** The longest closed attempt of the current visit, ms (0 when none closed). */
export function longestAttemptMs(rec: StepRecord): number {
  let longest = 0;
  for (const a of rec.history) {
    if (a.completedAt !== undefined && a.completedAt - a.startedAt > longest)
      longest = a.completedAt - a.startedAt;
  }
  return longest;
}

/**
 * Time of the current visit spent between its attempts, ms: its duration less the time its
 * finished attempts ran (backoff waits, and the time from an attempt cut short by its process
 * stopping to the next). `undefined` when the history no longer holds every attempt.
 */
export function waitBetweenAttemptsMs(rec: StepRecord): number | undefined {
  if (rec.durationMs === null || rec.history.length < rec.attempts) return undefined;
  let ran = 0;
  for (const a of rec.history) {
    if (a.completedAt !== undefined && a.completedAt > a.startedAt) ran += a.completedAt - a.startedAt;
  }
  return Math.max(0, rec.durationMs - ran);
}

/** Failed attempts of the current visit (interrupted ones do not count). */
export function failuresSoFar(rec: Attempts): number {
  return rec.attempts - (rec.interruptions ?? 0);
}
