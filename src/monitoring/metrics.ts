/**
 * Execution counters and the `MetricsSnapshot` (SPEC §5). Counts start from the store's
 * aggregates when the orchestrator opens, then follow this node's transitions, so the
 * snapshot is synchronous. Durations come from bounded histograms.
 * @module
 */

import { dropOldest, setRecent } from '../lru.js';
import { DurationHistogram } from '../performance/histogram.js';
import type { StoreAggregates } from '../store/store.js';
import type { ExecutionState } from '../types.js';
import { executionRates } from './rates.js';

/** The metrics snapshot of SPEC §5. Rates are fractions 0..1. */
export interface MetricsSnapshot {
  executions: {
    total: number;
    running: number;
    pending: number;
    compensating: number;
    completed: number;
    failed: number;
    cancelled: number;
  };
  /** completed / finished. */
  successRate: number;
  avgExecutionMs: number;
  p95ExecutionMs: number;
  /** Steps that needed a retry / steps run. */
  retryRate: number;
  /** Executions that compensated / finished. */
  compensationRate: number;
  loadDistribution: Record<string, number>;
}

interface Counters {
  byStatus: Record<ExecutionState, number>;
  compensated: number;
  stepsRun: number;
  stepsRetried: number;
  /** Per workflow: created at its first recorded duration, and dropped past the cap (see below). */
  durations: DurationHistogram | null;
}

const emptyCounters = (durations: DurationHistogram | null = null): Counters => ({
  byStatus: { pending: 0, running: 0, compensating: 0, completed: 0, failed: 0, cancelled: 0 },
  compensated: 0,
  stepsRun: 0,
  stepsRetried: 0,
  durations,
});

/**
 * Per-workflow duration histograms kept (each 1.5–17 KB); past it the one recorded into least
 * recently is dropped, and that workflow's average and p95 start again. Counts are kept for every
 * workflow: they are a few numbers each, and there is one per defined workflow.
 */
const MAX_WORKFLOW_HISTOGRAMS = 1000;

/** Counters for all executions and per workflow. */
export class Metrics {
  private readonly all = emptyCounters(new DurationHistogram());
  private readonly perWorkflow = new Map<string, Counters>();
  /** Workflows with a histogram, least recently recorded into first. */
  private readonly withHistogram = new Map<string, Counters>();

  /** Seeds counters from stored aggregates (all workflows when `workflowId` is absent). */
  load(aggregates: StoreAggregates, workflowId?: string): void {
    const c = workflowId === undefined ? this.all : this.counters(workflowId);
    c.byStatus = { ...aggregates.byStatus };
    c.compensated = aggregates.compensated;
    c.stepsRun = aggregates.stepsRun;
    c.stepsRetried = aggregates.stepsRetried;
  }

  /** A new execution was stored as pending. */
  created(workflowId: string): void {
    this.all.byStatus.pending++;
    this.counters(workflowId).byStatus.pending++;
  }

  /** An execution moved between non-terminal states (`from` null: it was not counted yet). */
  transition(workflowId: string, from: ExecutionState | null, to: ExecutionState): void {
    if (from === to) return;
    move(this.all, from, to);
    move(this.counters(workflowId), from, to);
  }

  /** A step attempt started (`firstRun`: the step's first attempt; `retry`: its first retry). */
  stepStarted(workflowId: string, firstRun: boolean, retry: boolean): void {
    const c = this.counters(workflowId);
    if (firstRun) {
      this.all.stepsRun++;
      c.stepsRun++;
    }
    if (retry) {
      this.all.stepsRetried++;
      c.stepsRetried++;
    }
  }

  /** An execution reached a terminal state (`durationMs` null: it never ran, no duration to record). */
  finished(workflowId: string, from: ExecutionState, to: ExecutionState, durationMs: number | null): void {
    this.transition(workflowId, from, to);
    if (durationMs === null) return;
    this.all.durations?.record(durationMs);
    this.histogram(workflowId).record(durationMs);
  }

  private histogram(workflowId: string): DurationHistogram {
    const c = this.counters(workflowId);
    setRecent(this.withHistogram, workflowId, c);
    if (!c.durations) {
      c.durations = new DurationHistogram();
      const dropped = dropOldest(this.withHistogram, MAX_WORKFLOW_HISTOGRAMS);
      if (dropped) dropped[1].durations = null;
    }
    return c.durations;
  }

  /** The snapshot for all workflows or one. */
  snapshot(loadDistribution: Record<string, number>, workflowId?: string): MetricsSnapshot {
    const c = workflowId === undefined ? this.all : (this.perWorkflow.get(workflowId) ?? emptyCounters());
    const s = c.byStatus;
    const total = s.completed + s.failed + s.cancelled + s.pending + s.running + s.compensating;
    const rates = executionRates(c);
    return {
      executions: {
        total,
        running: s.running,
        pending: s.pending,
        compensating: s.compensating,
        completed: s.completed,
        failed: s.failed,
        cancelled: s.cancelled,
      },
      successRate: rates.successRate,
      avgExecutionMs: c.durations && c.durations.count > 0 ? c.durations.mean : 0,
      p95ExecutionMs: c.durations && c.durations.count > 0 ? c.durations.percentile(95) : 0,
      retryRate: rates.retryRate,
      compensationRate: rates.compensationRate,
      loadDistribution,
    };
  }

  /** Workflows with counters. */
  workflows(): string[] {
    return [...this.perWorkflow.keys()];
  }

  private counters(workflowId: string): Counters {
    let c = this.perWorkflow.get(workflowId);
    if (!c) {
      c = emptyCounters();
      this.perWorkflow.set(workflowId, c);
    }
    return c;
  }
}

function move(c: Counters, from: ExecutionState | null, to: ExecutionState): void {
  if (from !== null && c.byStatus[from] > 0) c.byStatus[from]--;
  c.byStatus[to]++;
  if (from === 'running' && to === 'compensating') c.compensated++;
}
