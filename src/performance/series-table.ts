/**
 * The series the `PerformanceOptimizer` records into, within its memory caps: at most
 * `maxWorkflows` workflows, `maxStepsPerWorkflow` steps each and `maxStepSeries` steps in all;
 * past a cap the least recently recorded workflow (or step) is forgotten. Each workflow's figures
 * are of its newest recorded definition version.
 * @module
 */
import { DurationHistogram } from './histogram.js';

export interface StepSeries {
  readonly hist: DurationHistogram;
  /** First-seen order, so listings follow the workflow's step order rather than recency. */
  readonly seq: number;
  retries: number;
  failures: number;
  /** Sum of the runs' `waitMs`. */
  waitSum: number;
  /** Sum of the runs' `queuedMs`. */
  queueSum: number;
  /** Compensations recorded, and their total time. */
  compensations: number;
  compensationSum: number;
  timeoutMs: number | null;
  /** Longest attempt per run; kept for steps with a timeout only (see `StepRunInfo.attemptMs`). */
  attempts: DurationHistogram | null;
  /**
   * The parallel step it is a branch of (null: a step of its own): its time is part of that
   * step's, so it is left out of the total the shares are taken of, and is no bottleneck.
   */
  parent: string | null;
  /** When it was last recorded (the table's tick): the least recent one is dropped first. */
  used: number;
}

export interface WorkflowSeries {
  executions: DurationHistogram | null;
  /** Total time executions waited for a free slot before they started, ms, and how many were recorded. */
  pendingMs: number;
  pendingCount: number;
  readonly steps: Map<string, StepSeries>;
  /** The newest definition version recorded (`null`: none given); the figures are of it alone. */
  version: number | null;
  nextSeq: number;
  /** When it was last recorded (the table's tick). */
  used: number;
}

/** The entry with the smallest `used`, other than `keep`. */
function leastRecent<T extends { used: number }>(map: Map<string, T>, keep?: string): string | undefined {
  let found: string | undefined;
  let min = Number.POSITIVE_INFINITY;
  for (const [key, value] of map) {
    if (key !== keep && value.used < min) {
      min = value.used;
      found = key;
    }
  }
  return found;
}

export class SeriesTable {
  private readonly maxWorkflows: number;
  private readonly maxStepsPerWorkflow: number;
  private readonly maxStepSeries: number;
  /** The series by workflow; recency is each series' `used` tick (no reordering on every record). */
  private readonly workflows = new Map<string, WorkflowSeries>();
  private tick = 0;
  private stepSeries = 0;

  constructor(maxWorkflows: number, maxStepsPerWorkflow: number, maxStepSeries: number) {
    this.maxWorkflows = maxWorkflows;
    this.maxStepSeries = maxStepSeries;
    this.maxStepsPerWorkflow = Math.min(maxStepsPerWorkflow, maxStepSeries);
  }

  /** The workflow's series, if tracked. */
  get(workflowId: string): WorkflowSeries | undefined {
    return this.workflows.get(workflowId);
  }

  /** Ids of the tracked workflows, in no order. */
  ids(): string[] {
    return [...this.workflows.keys()];
  }

  /** Forgets every workflow. */
  clear(): void {
    this.workflows.clear();
    this.stepSeries = 0;
  }

  /** The workflow's series, created if new, marked as the most recently recorded. */
  touch(workflowId: string): WorkflowSeries {
    const used = ++this.tick;
    let wf = this.workflows.get(workflowId);
    if (wf === undefined) {
      wf = {
        executions: null,
        pendingMs: 0,
        pendingCount: 0,
        steps: new Map(),
        version: null,
        nextSeq: 0,
        used,
      };
      this.workflows.set(workflowId, wf);
      while (this.workflows.size > this.maxWorkflows) this.dropOldestWorkflow(workflowId);
    } else wf.used = used;
    return wf;
  }

  /**
   * Whether a sample of `version` counts: not when older than the workflow's; a newer one first
   * drops the older versions' figures.
   */
  ofVersion(wf: WorkflowSeries, version: number | undefined): boolean {
    if (version === undefined || wf.version === version) return true;
    if (wf.version !== null && version < wf.version) return false;
    if (wf.version !== null) {
      this.stepSeries -= wf.steps.size;
      wf.steps.clear();
      wf.executions = null;
      wf.pendingMs = 0;
      wf.pendingCount = 0;
      wf.nextSeq = 0;
    }
    wf.version = version;
    return true;
  }

  /** The series of `step` of the workflow just touched, created if new, marked as the most recently recorded. */
  step(workflowId: string, wf: WorkflowSeries, step: string): StepSeries {
    const series = wf.steps.get(step) ?? this.addStep(workflowId, wf, step);
    series.used = this.tick;
    return series;
  }

  private addStep(workflowId: string, wf: WorkflowSeries, step: string): StepSeries {
    if (wf.steps.size >= this.maxStepsPerWorkflow) {
      const oldest = leastRecent(wf.steps);
      if (oldest !== undefined) wf.steps.delete(oldest);
      this.stepSeries--;
    }
    const series: StepSeries = {
      hist: new DurationHistogram(),
      seq: wf.nextSeq++,
      retries: 0,
      failures: 0,
      waitSum: 0,
      queueSum: 0,
      compensations: 0,
      compensationSum: 0,
      timeoutMs: null,
      attempts: null,
      parent: null,
      used: this.tick,
    };
    wf.steps.set(step, series);
    this.stepSeries++;
    while (this.stepSeries > this.maxStepSeries) this.dropOldestWorkflow(workflowId);
    return series;
  }

  /** Drops the least recently recorded workflow other than `keep`. */
  private dropOldestWorkflow(keep: string): void {
    const oldest = leastRecent(this.workflows, keep);
    if (oldest !== undefined) this.dropWorkflow(oldest);
  }

  dropWorkflow(workflowId: string): void {
    const wf = this.workflows.get(workflowId);
    if (wf === undefined) return;
    this.stepSeries -= wf.steps.size;
    this.workflows.delete(workflowId);
  }

  /** The workflow's step series in first-recorded order. */
  sortedSteps(workflowId: string): [string, StepSeries][] {
    const steps = this.workflows.get(workflowId)?.steps;
    if (steps === undefined) return [];
    return [...steps].sort((a, b) => a[1].seq - b[1].seq);
  }
}
