/**
 * Execution counters and the `MetricsSnapshot` (SPEC §5). Counts start from the store's
 * aggregates when the orchestrator opens, then follow this node's transitions, so the
 * snapshot is synchronous. Durations come from bounded histograms.
 * @module
 */
import { DurationHistogram } from '../performance/histogram.js';
import type { StoreAggregates } from '../store/store.js';
import type { ExecutionState } from '../types.js';

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
  durations: DurationHistogram;
}

const emptyCounters = (): Counters => ({
  byStatus: { pending: 0, running: 0, compensating: 0, completed: 0, failed: 0, cancelled: 0 },
  compensated: 0,
  stepsRun: 0,
  stepsRetried: 0,
  durations: new DurationHistogram(),
});

/** Cap on per-workflow counters kept in memory. */
const MAX_WORKFLOWS = 1000;

/** Counters for all executions and per workflow. */
export class Metrics {
  private readonly all = emptyCounters();
  private readonly perWorkflow = new Map<string, Counters>();

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

  /** An execution reached a terminal state. */
  finished(workflowId: string, from: ExecutionState, to: ExecutionState, durationMs: number): void {
    this.transition(workflowId, from, to);
    this.all.durations.record(durationMs);
    this.counters(workflowId).durations.record(durationMs);
  }

  /** The snapshot for all workflows or one. */
  snapshot(loadDistribution: Record<string, number>, workflowId?: string): MetricsSnapshot {
    const c = workflowId === undefined ? this.all : (this.perWorkflow.get(workflowId) ?? emptyCounters());
    const s = c.byStatus;
    const finished = s.completed + s.failed + s.cancelled;
    const total = finished + s.pending + s.running + s.compensating;
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
      successRate: finished > 0 ? s.completed / finished : 0,
      avgExecutionMs: c.durations.count > 0 ? c.durations.mean : 0,
      p95ExecutionMs: c.durations.count > 0 ? c.durations.percentile(95) : 0,
      retryRate: c.stepsRun > 0 ? c.stepsRetried / c.stepsRun : 0,
      compensationRate: finished > 0 ? Math.min(1, c.compensated / finished) : 0,
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
      if (this.perWorkflow.size >= MAX_WORKFLOWS) {
        const oldest = this.perWorkflow.keys().next().value;
        if (oldest !== undefined) this.perWorkflow.delete(oldest);
      }
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
