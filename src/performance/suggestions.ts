/**
 * The rules behind `PerformanceOptimizer.suggestOptimization`: the seed's three generic
 * suggestions, then data-driven ones built from the recorded step statistics.
 * @module
 */
import { plural } from '../plural.js';

/** The seed's suggestions for any slow workflow, verbatim and in this order. */
export const GENERIC_SUGGESTIONS: readonly string[] = Object.freeze([
  'Consider parallel execution of independent steps',
  'Review step implementations for optimization',
  'Consider caching intermediate results',
]);

/** A step is "retried often" when the runs that needed a retry reach this fraction of its runs. */
export const FREQUENT_RETRY_RATIO = 0.2;

/** A step "fails often" when its failed runs reach this fraction of its runs. */
export const FREQUENT_FAILURE_RATIO = 0.2;

/** Compensations are named when their time reaches this fraction of the executions' time. */
export const COMPENSATION_TIME_RATIO = 0.2;

/** A step "waits for workers" when its tasks' time in the remote queue reaches this fraction of its time. */
export const QUEUE_WAIT_RATIO = 0.2;

/** Executions "wait for a slot" when that wait reaches this fraction of their time from submission to the end. */
export const PENDING_TIME_RATIO = 0.2;

/** A step "nears its timeout" when its p95 reaches this fraction of the timeout. */
export const NEAR_TIMEOUT_RATIO = 0.8;

/**
 * Shares resting on fewer recorded runs than this (the workflow's executions; a step's runs when
 * no execution is recorded) end with " (from 3 executions only)".
 */
export const FEW_RUNS = 5;

/** What the rules need to know about one step. */
export interface StepFacts {
  name: string;
  /** Recorded runs. */
  count: number;
  /** Runs that needed a retry. */
  retries: number;
  /** Runs that failed (after any retries). */
  failures: number;
  /** Compensations of the step recorded. */
  compensations?: number;
  /** Mean time of one of them, ms. */
  compensationAvg?: number;
  /** Mean run time, ms. */
  avg: number;
  /** Mean time per run between attempts (backoff, a restart), ms; part of `avg`. */
  waitAvg: number;
  /** Mean time per run waiting for a remote worker to take its tasks, ms; part of `avg`. */
  queueAvg: number;
  /** p95 duration, ms. */
  p95: number;
  /** Share of the workflow's total step time, 0..1. */
  share: number;
  /** The step's timeout, ms, if it has one. */
  timeoutMs: number | null;
  /**
   * p95 of the step's longest attempt per run, ms (what its timeout limits: retries and their
   * waits are not part of it); absent when not recorded, then `p95` stands in.
   */
  attemptP95?: number;
  /** The parallel step it is a branch of, if it is one (see `StepSeries.parent`). */
  parent?: string | null;
}

/**
 * Data-driven suggestions: the bottleneck step and its share of the workflow's step time (and how
 * much of its own time is spent between attempts; for a parallel step, its slowest branch), and
 * the step that takes the largest share when that is another one (a loop, a slow step seldom
 * run), then the compensations when they take a fifth of the executions' time (`executionMs`,
 * their total) or more, then each step retried often, then each step failing often, then each step
 * whose tasks wait long for a remote worker, then each step whose p95 nears its timeout (steps in
 * the order given). `executions` is how many executions the figures rest on (0 when none is
 * recorded: then the bottleneck's runs count); the shares under {@link FEW_RUNS} of them say so
 * (the most-time line, which states its step's runs, only when executions are recorded).
 */
export function dataDrivenSuggestions(
  steps: readonly StepFacts[],
  bottleneck: string | null,
  executionMs = 0,
  executions = FEW_RUNS,
): string[] {
  const out: string[] = [];
  const slowest = bottleneck === null ? undefined : steps.find((s) => s.name === bottleneck);
  if (slowest !== undefined && slowest.share > 0) {
    const few = bottleneckCaveat(executions, slowest.count);
    const waiting =
      slowest.avg > 0 && slowest.waitAvg > 0
        ? ` (${percent(slowest.waitAvg / slowest.avg)} of it waiting between attempts)`
        : '';
    out.push(
      `Step '${slowest.name}' takes ${percent(slowest.share)} of the workflow's step time${waiting}${slowestBranch(steps, slowest.name)}${few}`,
    );
    const most = mostTime(steps);
    if (most !== undefined && most.share > slowest.share) {
      out.push(
        `Step '${most.name}' takes the most time in all: ${percent(most.share)} of the workflow's step time ` +
          `(${most.count} runs, ${formatMs(most.avg)} on average)${executions > 0 ? few : ''}`,
      );
    }
  }
  const compensating = compensationAdvice(steps, executionMs);
  if (compensating !== null) out.push(`${compensating}${fewRuns(executions)}`);
  for (const s of steps) {
    if (s.count > 0 && s.retries / s.count >= FREQUENT_RETRY_RATIO) {
      out.push(
        `Step '${s.name}' is retried often (needed a retry in ${s.retries} of ${s.count} runs): ` +
          'check the service it calls or mark permanent errors non-retryable',
      );
    }
  }
  for (const s of steps) {
    if (s.count > 0 && s.failures / s.count >= FREQUENT_FAILURE_RATIO) {
      out.push(
        `Step '${s.name}' fails often (failed in ${s.failures} of ${s.count} runs): fix what makes it fail first`,
      );
    }
  }
  for (const s of steps) {
    if (s.avg > 0 && s.queueAvg / s.avg >= QUEUE_WAIT_RATIO) {
      out.push(
        `Step '${s.name}' spends ${percent(s.queueAvg / s.avg)} of its time waiting for a remote worker ` +
          'to take its task: add remote workers for its action',
      );
    }
  }
  for (const s of steps) {
    const p95 = s.attemptP95 ?? s.p95;
    if (s.timeoutMs !== null && s.timeoutMs > 0 && s.count > 0 && p95 >= NEAR_TIMEOUT_RATIO * s.timeoutMs) {
      out.push(
        `Step '${s.name}' p95 (${formatMs(p95)}) is ${percent(p95 / s.timeoutMs)} of its timeout ` +
          `(${formatMs(s.timeoutMs)}): speed it up or raise the timeout`,
      );
    }
  }
  return out;
}

/**
 * " (from 3 executions only)" when `runs` is above 0 and under {@link FEW_RUNS}, else "": a share
 * of one run names no trend. `unit` names what was counted: executions, or a step's runs when no
 * execution was recorded (library use with `recordStep` alone).
 */
export function fewRuns(runs: number, unit: 'execution' | 'run' = 'execution'): string {
  if (!(runs > 0) || runs >= FEW_RUNS) return '';
  return ` (from ${plural(runs, unit)} only)`;
}

/**
 * {@link fewRuns} for the bottleneck's share: of the `executions` recorded, or with none (library
 * use with `recordStep` alone) of the bottleneck step's own `stepRuns`.
 */
export function bottleneckCaveat(executions: number, stepRuns: number): string {
  return executions > 0 ? fewRuns(executions) : fewRuns(stepRuns, 'run');
}

/**
 * The step (not a branch: its time is its parallel step's) with the largest share of the step
 * time (ties: the first). It differs from the bottleneck, the slowest step per run, when a step
 * runs several times per execution (a loop) or the slowest one runs rarely (a branch seldom taken).
 */
function mostTime(steps: readonly StepFacts[]): StepFacts | undefined {
  let best: StepFacts | undefined;
  for (const s of steps) if (s.parent == null && s.share > (best?.share ?? 0)) best = s;
  return best;
}

/**
 * "Executions wait 1.2 s on average for a free slot before they start (60% of their time from
 * submission to the end): …" when that wait (`pending.avgMs`) reaches {@link PENDING_TIME_RATIO}
 * of it with the run's time (`pending.runMs`, the average execution time); none otherwise.
 * `executions` under {@link FEW_RUNS} ends it with " (from 3 executions only)".
 */
export function pendingAdvice(
  pending: { avgMs: number; runMs: number } | null,
  executions = FEW_RUNS,
): string[] {
  if (pending === null || !(pending.avgMs > 0) || !(pending.runMs >= 0)) return [];
  const share = pending.avgMs / (pending.avgMs + pending.runMs);
  if (share < PENDING_TIME_RATIO) return [];
  return [
    `Executions wait ${formatMs(pending.avgMs)} on average for a free slot before they start ` +
      `(${percent(share)} of their time from submission to the end): raise maxConcurrentWorkflows, or add nodes${fewRuns(executions)}`,
  ];
}

/**
 * "Compensations take 60% of the execution time (most of it undoing 'reserve': …)" when the
 * recorded compensations' time reaches {@link COMPENSATION_TIME_RATIO} of `executionMs`, else null.
 */
function compensationAdvice(steps: readonly StepFacts[], executionMs: number): string | null {
  let total = 0;
  let top: StepFacts | undefined;
  let topMs = 0;
  for (const s of steps) {
    const ms = (s.compensations ?? 0) * (s.compensationAvg ?? 0);
    total += ms;
    if (ms > topMs) {
      top = s;
      topMs = ms;
    }
  }
  if (top === undefined || !(executionMs > 0) || total / executionMs < COMPENSATION_TIME_RATIO) return null;
  return (
    `Compensations take ${percent(Math.min(1, total / executionMs))} of the execution time (most of it undoing ` +
    `'${top.name}': ${plural(top.compensations ?? 0, 'compensation')}, ${formatMs(top.compensationAvg ?? 0)} on average): ` +
    'fix the failures that set them off, or speed up that compensation'
  );
}

/** " (its slowest branch: 'b', 2 s on average)" for a parallel step with branches recorded, else "". */
function slowestBranch(steps: readonly StepFacts[], parent: string): string {
  let best: StepFacts | undefined;
  for (const s of steps) if (s.parent === parent && s.count > 0 && (!best || s.avg > best.avg)) best = s;
  return best ? ` (its slowest branch: '${best.name}', ${formatMs(best.avg)} on average)` : '';
}

/**
 * The name with the largest finite number among `entries` (ties: the first); `null` when none.
 * Non-numeric and non-finite values are passed over.
 */
export function slowest(entries: Iterable<readonly [string, unknown]>): string | null {
  let best: string | null = null;
  let bestMs = Number.NEGATIVE_INFINITY;
  for (const [name, ms] of entries) {
    if (typeof ms === 'number' && Number.isFinite(ms) && ms > bestMs) {
      best = name;
      bestMs = ms;
    }
  }
  return best;
}

/**
 * `0.873` → `"87%"`. A fraction short of 1 that rounds to 100% is `"over 99%"`, and one above 0
 * that rounds to 0% is `"under 1%"`: a share of 99.8% is not all the time, nor one of 0.2% none.
 */
function percent(fraction: number): string {
  const rounded = Math.round(fraction * 100);
  if (rounded >= 100 && fraction < 1) return 'over 99%';
  if (rounded <= 0 && fraction > 0) return 'under 1%';
  return `${rounded}%`;
}

/** `850` → `"850 ms"`, `4200` → `"4.2 s"`. */
export function formatMs(ms: number): string {
  // The unit is picked after rounding: 999.6 ms is '1 s', not '1000 ms'.
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}
