/**
 * `PerformanceOptimizer` (SPEC §4): execution and step durations per workflow, their statistics,
 * the bottleneck step and optimization suggestions. Synchronous; recording is a few map
 * operations plus one histogram record.
 *
 * Memory is bounded whatever arrives: each series is a fixed-size {@link DurationHistogram}
 * (~2.4 KB empty, ~6 KB typical, ≤ 28 KB worst case), at most `maxWorkflows` workflows are
 * tracked, at most `maxStepsPerWorkflow` steps each and at most `maxStepSeries` steps in all;
 * past a cap the least recently recorded workflow (or step) is forgotten. With the defaults
 * that is 48 MB measured at the caps (1,000 workflows × 10 steps, 1,000 log-normal samples per
 * series) and about 190 MB with 11,000 series of samples spread over 1 µs .. 24 h (about 300 MB,
 * by the histogram's measure, spread over its whole 1 µs .. 1e9 s range, which no real durations are),
 * measured before the histograms' block counts, which add 0.9 KB a series (10 MB at the caps).
 * The series and their caps are kept in `series-table.ts`; the argument checks are in
 * `optimizer-arguments.ts`.
 * @module
 */
import { checkNonEmptyString } from '../non-empty-string.js';
import { countedMs, DurationHistogram } from './histogram.js';
import {
  checkCompensationInfo,
  checkDuration,
  checkOptions,
  checkReadable,
  checkStepInfo,
  checkStepTimes,
  checkVersion,
  invalid,
} from './optimizer-arguments.js';
import { SeriesTable, type StepSeries } from './series-table.js';
import {
  dataDrivenSuggestions,
  GENERIC_SUGGESTIONS,
  pendingAdvice,
  type StepFacts,
  slowest,
} from './suggestions.js';

/** Options of {@link PerformanceOptimizer}. */
export interface PerformanceOptimizerOptions {
  /** Executions slower than this many ms get suggestions. @default 1000 */
  slowThreshold?: number | undefined;
  /** Workflows tracked at once; the least recently recorded is dropped past it. @default 1000 */
  maxWorkflows?: number | undefined;
  /** Steps tracked per workflow; the least recently recorded is dropped past it. @default 200 */
  maxStepsPerWorkflow?: number | undefined;
  /** Steps tracked across all workflows; least recently recorded workflows are dropped past it. @default 10000 */
  maxStepSeries?: number | undefined;
}

/** Execution-time statistics of a workflow, ms (all 0 when nothing is recorded). */
export interface ExecutionStats {
  count: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Statistics of one step, ms. */
export interface StepStats {
  /** Recorded runs: one per visit of the step, its attempts and retry waits together. */
  count: number;
  avg: number;
  p95: number;
  max: number;
  /** Runs that needed a retry (from the engine: an attempt followed a failed one). */
  retries: number;
  /** Runs that failed. */
  failures: number;
  /**
   * Mean time per run spent between attempts, ms, part of `avg`: backoff waits before retries, and
   * the time from an attempt cut short by its process stopping to the next one (0 when the runs
   * recorded no `waitMs`).
   */
  waitAvg: number;
  /**
   * Mean time per run its tasks waited for a remote worker to take them, ms, part of `avg` (0 for
   * a local handler's step).
   */
  queueAvg: number;
  /** Compensations of this step recorded (completed or failed for good). */
  compensations: number;
  /**
   * Mean time of one compensation of this step, ms, from its first attempt to its end: not part
   * of `avg` nor of the shares (it is in the execution's duration).
   */
  compensationAvg: number;
  /** This step's total time / the total time of all the workflow's steps, 0..1. */
  share: number;
}

/** Extra facts about one step run, for the data-driven suggestions. */
export interface StepRunInfo {
  /** The step's timeout, ms (`null`: none). The latest value given is kept. */
  timeoutMs?: number | null | undefined;
  /** This run was a retry. */
  retried?: boolean | undefined;
  /** This run failed. */
  failed?: boolean | undefined;
  /**
   * The run's longest attempt, ms, where it differs from the run's duration (which counts every
   * attempt and the waits between them): what a timeout limits.
   */
  attemptMs?: number | undefined;
  /** The parallel step this run was a branch of: its time is part of the parent's. */
  parent?: string | undefined;
  /**
   * Time of this run spent between its attempts, ms, part of its duration: backoff waits, or the
   * time from an attempt cut short by its process stopping to the next attempt.
   */
  waitMs?: number | undefined;
  /** Time this run's tasks waited for a remote worker to take them, ms, part of its duration. */
  queuedMs?: number | undefined;
  /**
   * The definition version the run belongs to (a positive integer); see
   * {@link PerformanceOptimizer.recordExecution}.
   */
  version?: number | undefined;
}

const EMPTY_STATS: Readonly<ExecutionStats> = Object.freeze({
  count: 0,
  avg: 0,
  min: 0,
  max: 0,
  p50: 0,
  p95: 0,
  p99: 0,
});

/**
 * Duration statistics, bottleneck detection and optimization suggestions per workflow. Every
 * method that takes a workflow (or step) id throws a ValidationError naming it when it is not a
 * non-empty string (`reset()` without one forgets every workflow).
 */
export class PerformanceOptimizer {
  /** Executions slower than this (ms) get suggestions. */
  readonly slowThreshold: number;
  private readonly table: SeriesTable;

  /** @throws ValidationError when an option is out of range or unknown (a misspelt key is refused by name). */
  constructor(options: PerformanceOptimizerOptions = {}) {
    const { slowThreshold, maxWorkflows, maxStepsPerWorkflow, maxStepSeries } = checkOptions(options);
    this.slowThreshold = slowThreshold;
    this.table = new SeriesTable(maxWorkflows, maxStepsPerWorkflow, maxStepSeries);
  }

  /**
   * Records one execution's duration (ms). Non-finite durations are ignored; negative ones count
   * as 0, and one above `Number.MAX_SAFE_INTEGER` ms (about 285,000 years) as that.
   *
   * With a `version` (the definition version it ran; the engine gives it), the workflow's figures
   * describe its newest version only: a sample of a newer version than recorded so far drops
   * everything recorded of the older ones (a new version has other steps), and a sample of an
   * older version is ignored. Samples without a version are taken as they come.
   *
   * `pendingMs` (the engine gives it) is how long the execution waited for a free slot before it
   * started, not part of `durationMs`: when that waiting is a large part of the time from
   * submission to the end, {@link suggestOptimization} says so. Non-finite values are ignored,
   * negative ones count as 0.
   * @throws ValidationError when `durationMs` or `pendingMs` is not a number or `version` not a
   *   positive integer.
   */
  recordExecution(workflowId: string, durationMs: number, version?: number, pendingMs?: number): void {
    checkNonEmptyString(workflowId, 'workflowId', 'recordExecution');
    checkDuration(durationMs, 'recordExecution');
    checkVersion(version, 'recordExecution');
    if (pendingMs !== undefined) checkDuration(pendingMs, 'recordExecution', 'pendingMs');
    if (!Number.isFinite(durationMs)) return;
    const wf = this.table.touch(workflowId);
    if (!this.table.ofVersion(wf, version)) return;
    if (wf.executions === null) wf.executions = new DurationHistogram();
    wf.executions.record(durationMs);
    if (pendingMs !== undefined && Number.isFinite(pendingMs)) {
      wf.pendingMs += countedMs(pendingMs);
      wf.pendingCount++;
    }
  }

  /**
   * Records one run of a step (ms), with optional facts about the run. A run of a non-finite
   * duration is ignored (its facts too); a negative one counts as 0, one above
   * `Number.MAX_SAFE_INTEGER` ms as that.
   * @throws ValidationError when `durationMs` is not a number, or `info` is given and is no object,
   *   has an unknown key or a field of the wrong type (`info.timeoutMs` must be a non-negative
   *   number or null, `info.retried` a boolean, …), naming it.
   */
  recordStep(workflowId: string, step: string, durationMs: number, info?: StepRunInfo): void {
    checkNonEmptyString(workflowId, 'workflowId', 'recordStep');
    checkNonEmptyString(step, 'step', 'recordStep');
    checkDuration(durationMs, 'recordStep');
    checkStepInfo(info);
    if (!Number.isFinite(durationMs)) return;
    const wf = this.table.touch(workflowId);
    if (!this.table.ofVersion(wf, info?.version)) return;
    const series = this.table.step(workflowId, wf, step);
    const ms = countedMs(durationMs);
    series.hist.record(ms);
    if (info !== undefined) {
      if (info.retried === true) series.retries++;
      if (info.failed === true) series.failures++;
      series.waitSum += partOf(info.waitMs, ms);
      series.queueSum += partOf(info.queuedMs, ms);
      if (info.timeoutMs !== undefined) series.timeoutMs = info.timeoutMs;
      if (info.parent !== undefined) series.parent = info.parent;
      if (series.timeoutMs !== null) {
        series.attempts ??= new DurationHistogram();
        series.attempts.record(info.attemptMs ?? durationMs);
      }
    }
  }

  /**
   * Records one compensation of `step` (its first attempt to its end, ms; `version` as for
   * {@link recordExecution}). Kept apart from the step's runs: it is no forward work. Non-finite
   * durations are ignored; negative ones count as 0, one above `Number.MAX_SAFE_INTEGER` ms as that.
   * @throws ValidationError when `durationMs` is not a number, `info` is given and is no object
   *   or has a key other than `version`, or `info.version` is not a positive integer.
   */
  recordCompensation(
    workflowId: string,
    step: string,
    durationMs: number,
    info?: { version?: number | undefined },
  ): void {
    checkNonEmptyString(workflowId, 'workflowId', 'recordCompensation');
    checkNonEmptyString(step, 'step', 'recordCompensation');
    checkDuration(durationMs, 'recordCompensation');
    checkCompensationInfo(info);
    if (!Number.isFinite(durationMs)) return;
    const wf = this.table.touch(workflowId);
    if (!this.table.ofVersion(wf, info?.version)) return;
    const series = this.table.step(workflowId, wf, step);
    series.compensations++;
    series.compensationSum += countedMs(durationMs);
  }

  /** Mean execution time of `workflowId`, ms; 0 when nothing is recorded. */
  getAvgExecutionTime(workflowId: string): number {
    checkNonEmptyString(workflowId, 'workflowId', 'getAvgExecutionTime');
    return this.table.get(workflowId)?.executions?.mean ?? 0;
  }

  /**
   * Execution-time statistics of `workflowId`, ms; zeros when none. Percentiles are nearest-rank
   * values, exact up to `EXACT_SAMPLES` (64) executions and within 1% beyond.
   */
  getStats(workflowId: string): ExecutionStats {
    checkNonEmptyString(workflowId, 'workflowId', 'getStats');
    const h = this.table.get(workflowId)?.executions;
    if (h == null || h.count === 0) return { ...EMPTY_STATS };
    return {
      count: h.count,
      avg: h.mean,
      min: h.min,
      max: h.max,
      p50: h.percentile(50),
      p95: h.percentile(95),
      p99: h.percentile(99),
    };
  }

  /** Statistics of each recorded step of `workflowId`, in first-recorded order. */
  getStepStats(workflowId: string): Record<string, StepStats> {
    checkNonEmptyString(workflowId, 'workflowId', 'getStepStats');
    const steps = this.table.sortedSteps(workflowId);
    // A branch's time is already in its parallel step's.
    const total = steps.reduce((sum, [, s]) => (s.parent !== null ? sum : sum + s.hist.sum), 0);
    return Object.fromEntries(
      steps.map(([name, s]): [string, StepStats] => [
        name,
        {
          count: s.hist.count,
          avg: s.hist.mean,
          p95: s.hist.percentile(95),
          max: s.hist.max,
          retries: s.retries,
          failures: s.failures,
          waitAvg: s.hist.count > 0 ? s.waitSum / s.hist.count : 0,
          queueAvg: s.hist.count > 0 ? s.queueSum / s.hist.count : 0,
          compensations: s.compensations,
          compensationAvg: s.compensations > 0 ? s.compensationSum / s.compensations : 0,
          share: total > 0 ? Math.min(1, s.hist.sum / total) : 0,
        },
      ]),
    );
  }

  /**
   * The slowest step: from `stepTimes` (`{ step: ms }`) when it has any finite entry above 0
   * (a step that took no time, or a negative time a clock stepped back gives, is none), else the
   * recorded step with the highest mean, a parallel step's branches left out (their time is part
   * of the step's: a branch as slow as its step is not the bottleneck), steps that took no time
   * left out too (of steps that all took 0 ms none is slower). Ties go to the first.
   * `null` when there is none.
   * @throws ValidationError when `stepTimes` is given and is not a plain object of `{ step: ms }`
   *   (a `Map` was read as empty), a time in it is not a number (`'100'` was passed over, and
   *   another step named; NaN and ±Infinity are passed over, as `recordStep` passes them over), or
   *   it cannot be read (a revoked Proxy, a getter that throws), naming it.
   */
  identifyBottleneck(workflowId: string, stepTimes?: Record<string, number>): string | null {
    checkNonEmptyString(workflowId, 'workflowId', 'identifyBottleneck');
    if (stepTimes != null && typeof stepTimes === 'object') {
      checkReadable(stepTimes, 'stepTimes', [], 'identifyBottleneck');
    }
    if (stepTimes != null && (typeof stepTimes !== 'object' || Array.isArray(stepTimes))) {
      throw invalid('stepTimes', 'an object of { step: ms }', stepTimes, 'identifyBottleneck');
    }
    if (stepTimes != null) checkStepTimes(stepTimes);
    // A time not above 0 (a clock stepped back gives negative ones) is no bottleneck: the least
    // negative of all-negative times was named one.
    const given =
      stepTimes == null
        ? null
        : slowest(Object.entries(stepTimes).filter(([, ms]) => typeof ms === 'number' && ms > 0));
    if (given !== null) return given;
    const recorded = this.table
      .sortedSteps(workflowId)
      .filter(([, s]) => s.hist.sum > 0 && s.parent === null);
    return slowest(recorded.map(([name, s]) => [name, s.hist.mean]));
  }

  /**
   * Suggestions for a workflow whose executions average `avgTimeMs`: none at or under
   * `slowThreshold`; above it the seed's three generic suggestions, then data-driven ones (the
   * bottleneck step and its share of the time, the step that takes the largest share when that
   * is another one, compensations taking a fifth of the execution time or more, steps retried
   * often, steps failing often, steps whose tasks wait for remote
   * workers, steps whose p95 nears their timeout, and executions waiting for a free slot a fifth
   * of their time from submission or more). The shares (bottleneck, most time, compensations, the
   * wait for a slot) end with " (from 3 executions only)" while fewer than `FEW_RUNS` (5) executions are
   * recorded (with none, the bottleneck step's runs count). An `avgTimeMs` of `NaN` gets none.
   * @throws ValidationError when `avgTimeMs` is not a number (`'1200'` is refused, not read).
   */
  suggestOptimization(workflowId: string, avgTimeMs: number): string[] {
    checkNonEmptyString(workflowId, 'workflowId', 'suggestOptimization');
    if (typeof avgTimeMs !== 'number')
      throw invalid('avgTimeMs', 'a number of milliseconds', avgTimeMs, 'suggestOptimization');
    if (!(avgTimeMs > this.slowThreshold)) return [];
    const steps = this.table.get(workflowId)?.steps;
    const facts: StepFacts[] = Object.entries(this.getStepStats(workflowId)).map(([name, stats]) => ({
      name,
      ...stats,
      timeoutMs: steps?.get(name)?.timeoutMs ?? null,
      parent: steps?.get(name)?.parent ?? null,
      ...attemptP95(steps?.get(name)),
    }));
    const wf = this.table.get(workflowId);
    const executionMs = wf?.executions?.sum ?? 0;
    const executions = wf?.executions?.count ?? 0;
    // The wait's share is of the recorded executions' time, as the compensations' is.
    const pending =
      wf && wf.pendingCount > 0 && executions > 0
        ? { avgMs: wf.pendingMs / wf.pendingCount, runMs: executionMs / executions }
        : null;
    return [
      ...GENERIC_SUGGESTIONS,
      ...dataDrivenSuggestions(facts, this.identifyBottleneck(workflowId), executionMs, executions),
      ...pendingAdvice(pending, executions),
    ];
  }

  /**
   * The definition version the figures of `workflowId` describe: the newest recorded with a
   * version, `null` when none was (see {@link recordExecution}).
   */
  getVersion(workflowId: string): number | null {
    checkNonEmptyString(workflowId, 'workflowId', 'getVersion');
    return this.table.get(workflowId)?.version ?? null;
  }

  /** Ids of the tracked workflows, sorted. */
  listWorkflows(): string[] {
    return this.table.ids().sort();
  }

  /** Forgets everything recorded for `workflowId`, or for every workflow when omitted. */
  reset(workflowId?: string): void {
    if (workflowId === undefined) {
      this.table.clear();
      return;
    }
    checkNonEmptyString(workflowId, 'workflowId', 'reset');
    this.table.dropWorkflow(workflowId);
  }
}

function attemptP95(series: StepSeries | undefined): { attemptP95?: number } {
  const h = series?.attempts;
  return h && h.count > 0 ? { attemptP95: h.percentile(95) } : {};
}

/** A part (ms) of a run's counted duration, counted only when it is a positive number, at most the duration. */
function partOf(ms: unknown, durationMs: number): number {
  if (typeof ms !== 'number' || !(ms > 0) || !Number.isFinite(ms)) return 0;
  return Math.min(ms, durationMs);
}
