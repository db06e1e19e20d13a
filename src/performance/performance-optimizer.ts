/**
 * `PerformanceOptimizer` (SPEC §4): execution and step durations per workflow, their statistics,
 * the bottleneck step and optimization suggestions. Synchronous; recording is a few map
 * operations plus one histogram record.
 *
 * Memory is bounded whatever arrives: each series is a fixed-size {@link DurationHistogram}
 * (~1.5 KB empty, ~5 KB typical, ≤ 17 KB worst case), at most `maxWorkflows` workflows are
 * tracked, at most `maxStepsPerWorkflow` steps each and at most `maxStepSeries` steps in all;
 * past a cap the least recently recorded workflow (or step) is forgotten. With the defaults
 * that is 48 MB measured at the caps (1,000 workflows × 10 steps, 1,000 log-normal samples per
 * series) and about 190 MB in the worst case (11,000 series with samples spread over 1 µs .. 24 h).
 * @module
 */
import { ValidationError } from '../errors.js';
import { DurationHistogram } from './histogram.js';
import { dataDrivenSuggestions, GENERIC_SUGGESTIONS, type StepFacts, slowest } from './suggestions.js';

/** Options of {@link PerformanceOptimizer}. */
export interface PerformanceOptimizerOptions {
  /** Executions slower than this many ms get suggestions. @default 1000 */
  slowThreshold?: number;
  /** Workflows tracked at once; the least recently recorded is dropped past it. @default 1000 */
  maxWorkflows?: number;
  /** Steps tracked per workflow; the least recently recorded is dropped past it. @default 200 */
  maxStepsPerWorkflow?: number;
  /** Steps tracked across all workflows; least recently recorded workflows are dropped past it. @default 10000 */
  maxStepSeries?: number;
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
  /** Recorded runs (attempts). */
  count: number;
  avg: number;
  p95: number;
  max: number;
  /** Runs that were retries. */
  retries: number;
  /** Runs that failed. */
  failures: number;
  /** This step's total time / the total time of all the workflow's steps, 0..1. */
  share: number;
}

/** Extra facts about one step run, for the data-driven suggestions. */
export interface StepRunInfo {
  /** The step's timeout, ms (`null`: none). The latest value given is kept. */
  timeoutMs?: number | null;
  /** This run was a retry. */
  retried?: boolean;
  /** This run failed. */
  failed?: boolean;
}

interface StepSeries {
  readonly hist: DurationHistogram;
  /** First-seen order, so listings follow the workflow's step order rather than recency. */
  readonly seq: number;
  retries: number;
  failures: number;
  timeoutMs: number | null;
}

interface WorkflowSeries {
  executions: DurationHistogram | null;
  readonly steps: Map<string, StepSeries>;
  /** The step recorded last, so repeated records of one step skip the LRU move. */
  lastStep: string | undefined;
  nextSeq: number;
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

/** Duration statistics, bottleneck detection and optimization suggestions per workflow. */
export class PerformanceOptimizer {
  /** Executions slower than this (ms) get suggestions. */
  readonly slowThreshold: number;
  private readonly maxWorkflows: number;
  private readonly maxStepsPerWorkflow: number;
  private readonly maxStepSeries: number;
  /** Map order is recency order: least recently recorded first. */
  private readonly workflows = new Map<string, WorkflowSeries>();
  private lastWorkflow: string | undefined;
  private stepSeries = 0;

  /** @throws ValidationError when an option is out of range. */
  constructor(options: PerformanceOptimizerOptions = {}) {
    const {
      slowThreshold = 1000,
      maxWorkflows = 1000,
      maxStepsPerWorkflow = 200,
      maxStepSeries = 10_000,
    } = options;
    if (typeof slowThreshold !== 'number' || !Number.isFinite(slowThreshold) || slowThreshold < 0) {
      throw invalid('slowThreshold', 'a non-negative number', slowThreshold);
    }
    for (const [key, value] of Object.entries({ maxWorkflows, maxStepsPerWorkflow, maxStepSeries })) {
      if (!Number.isInteger(value) || value < 1) throw invalid(key, 'a positive integer', value);
    }
    this.slowThreshold = slowThreshold;
    this.maxWorkflows = maxWorkflows;
    this.maxStepSeries = maxStepSeries;
    this.maxStepsPerWorkflow = Math.min(maxStepsPerWorkflow, maxStepSeries);
  }

  /** Records one execution's duration (ms). Non-finite durations are ignored; negative ones count as 0. */
  recordExecution(workflowId: string, durationMs: number): void {
    const wf = this.touch(workflowId);
    if (wf.executions === null) wf.executions = new DurationHistogram();
    wf.executions.record(durationMs);
  }

  /** Records one run of a step (ms), with optional facts about the run. */
  recordStep(workflowId: string, step: string, durationMs: number, info?: StepRunInfo): void {
    const wf = this.touch(workflowId);
    let series = wf.steps.get(step);
    if (series === undefined) {
      series = this.addStep(workflowId, wf, step);
    } else if (wf.lastStep !== step) {
      wf.steps.delete(step);
      wf.steps.set(step, series);
    }
    wf.lastStep = step;
    series.hist.record(durationMs);
    if (info !== undefined) {
      if (info.retried === true) series.retries++;
      if (info.failed === true) series.failures++;
      if (info.timeoutMs !== undefined) series.timeoutMs = info.timeoutMs;
    }
  }

  /** Mean execution time of `workflowId`, ms; 0 when nothing is recorded. */
  getAvgExecutionTime(workflowId: string): number {
    return this.workflows.get(workflowId)?.executions?.mean ?? 0;
  }

  /** Execution-time statistics of `workflowId`, ms (percentiles within 1%); zeros when none. */
  getStats(workflowId: string): ExecutionStats {
    const h = this.workflows.get(workflowId)?.executions;
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
    const steps = this.sortedSteps(workflowId);
    const total = steps.reduce((sum, [, s]) => sum + s.hist.sum, 0);
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
          share: total > 0 ? s.hist.sum / total : 0,
        },
      ]),
    );
  }

  /**
   * The slowest step: from `stepTimes` (`{ step: ms }`) when it has any finite entry, else the
   * recorded step with the highest mean. Ties go to the first. `null` when there is none.
   */
  identifyBottleneck(workflowId: string, stepTimes?: Record<string, number>): string | null {
    const given = stepTimes == null ? null : slowest(Object.entries(stepTimes));
    if (given !== null) return given;
    const recorded = this.sortedSteps(workflowId).filter(([, s]) => s.hist.count > 0);
    return slowest(recorded.map(([name, s]) => [name, s.hist.mean]));
  }

  /**
   * Suggestions for a workflow whose executions average `avgTimeMs`: none at or under
   * `slowThreshold`; above it the seed's three generic suggestions, then data-driven ones (the
   * bottleneck step and its share of the time, steps retried often, steps whose p95 nears
   * their timeout).
   */
  suggestOptimization(workflowId: string, avgTimeMs: number): string[] {
    if (!(avgTimeMs > this.slowThreshold)) return [];
    const steps = this.workflows.get(workflowId)?.steps;
    const facts: StepFacts[] = Object.entries(this.getStepStats(workflowId)).map(([name, stats]) => ({
      name,
      ...stats,
      timeoutMs: steps?.get(name)?.timeoutMs ?? null,
    }));
    return [...GENERIC_SUGGESTIONS, ...dataDrivenSuggestions(facts, this.identifyBottleneck(workflowId))];
  }

  /** Ids of the tracked workflows, sorted. */
  listWorkflows(): string[] {
    return [...this.workflows.keys()].sort();
  }

  /** Forgets everything recorded for `workflowId`, or for every workflow when omitted. */
  reset(workflowId?: string): void {
    if (workflowId === undefined) {
      this.workflows.clear();
      this.stepSeries = 0;
      this.lastWorkflow = undefined;
      return;
    }
    this.dropWorkflow(workflowId);
  }

  /** The workflow's series, created if new, moved to the most recent end of the LRU order. */
  private touch(workflowId: string): WorkflowSeries {
    let wf = this.workflows.get(workflowId);
    if (wf === undefined) {
      wf = { executions: null, steps: new Map(), lastStep: undefined, nextSeq: 0 };
      this.workflows.set(workflowId, wf);
      while (this.workflows.size > this.maxWorkflows) this.dropOldestWorkflow(workflowId);
    } else if (this.lastWorkflow !== workflowId) {
      this.workflows.delete(workflowId);
      this.workflows.set(workflowId, wf);
    }
    this.lastWorkflow = workflowId;
    return wf;
  }

  private addStep(workflowId: string, wf: WorkflowSeries, step: string): StepSeries {
    if (wf.steps.size >= this.maxStepsPerWorkflow) {
      const oldest = wf.steps.keys().next().value as string;
      wf.steps.delete(oldest);
      this.stepSeries--;
    }
    const series: StepSeries = {
      hist: new DurationHistogram(),
      seq: wf.nextSeq++,
      retries: 0,
      failures: 0,
      timeoutMs: null,
    };
    wf.steps.set(step, series);
    this.stepSeries++;
    while (this.stepSeries > this.maxStepSeries) this.dropOldestWorkflow(workflowId);
    return series;
  }

  /** Drops the least recently recorded workflow other than `keep`. */
  private dropOldestWorkflow(keep: string): void {
    for (const id of this.workflows.keys()) {
      if (id !== keep) {
        this.dropWorkflow(id);
        return;
      }
    }
  }

  private dropWorkflow(workflowId: string): void {
    const wf = this.workflows.get(workflowId);
    if (wf === undefined) return;
    this.stepSeries -= wf.steps.size;
    this.workflows.delete(workflowId);
    if (this.lastWorkflow === workflowId) this.lastWorkflow = undefined;
  }

  private sortedSteps(workflowId: string): [string, StepSeries][] {
    const steps = this.workflows.get(workflowId)?.steps;
    if (steps === undefined) return [];
    return [...steps].sort((a, b) => a[1].seq - b[1].seq);
  }
}

function invalid(key: string, expected: string, got: unknown): ValidationError {
  return new ValidationError(
    [{ path: key, message: `Expected \`${key}\` to be ${expected}, got ${String(got)}` }],
    'Invalid PerformanceOptimizer options',
  );
}
