/**
 * Execution counters and the `MetricsSnapshot` (SPEC §5), kept in two parts so the snapshot is
 * synchronous and store-wide. This node's own executions (those it created or took over and holds,
 * and those it finished) are counted here as they move, so a process sees its own work at once.
 * The executions other processes sharing a durable store hold are the store's counts of them, as
 * last read (`setOthers`: at start, then in the background, see `engine/others-refresh.ts`). An
 * execution taken over from another node moves from the second part to the first (`adopt`), one
 * lost to another node moves back (`disown`), so each is counted once. Durations (average, p95)
 * come from bounded histograms of the executions this node ran.
 * @module
 */

import { dropOldest, setRecent } from '../lru.js';
import { DurationHistogram } from '../performance/histogram.js';
import { addAggregates, emptyAggregates, sumAggregates } from '../store/states.js';
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
  /**
   * Steps run (each step once, however many attempts it took): what `retryRate` divides by. With
   * none run the rate is 0 for want of anything to rate, not for want of retries. Beyond SPEC §5.
   */
  stepsRun: number;
  /**
   * Executions `avgExecutionMs` and `p95ExecutionMs` are taken over: those this process ran that
   * finished since it started. With none both are 0 for want of anything to measure, not because
   * executions take no time (after a restart, say). Beyond SPEC §5; the CLI's `metrics --json`
   * has it too.
   */
  durationSample: number;
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
 * Per-workflow duration histograms kept (each 2.4–28 KB); past it the one recorded into least
 * recently is dropped, and that workflow's average and p95 start again. Counts are kept for every
 * workflow: they are a few numbers each, and there is one per defined workflow.
 */
const MAX_WORKFLOW_HISTOGRAMS = 1000;

/** What an execution adds to the counts: its state, whether it compensated, its steps. */
export interface CountedExecution {
  workflowId: string;
  status: ExecutionState;
  compensated: boolean;
  stepsRun: number;
  stepsRetried: number;
}

/** Counters for all executions and per workflow. */
export class Metrics {
  /** This node's executions. */
  private readonly all = emptyCounters(new DurationHistogram());
  private readonly perWorkflow = new Map<string, Counters>();
  /** Workflows with a histogram, least recently recorded into first. */
  private readonly withHistogram = new Map<string, Counters>();
  /** The executions other processes hold, as last read from the store (adjusted by `adopt`/`disown`). */
  private others: StoreAggregates = emptyAggregates();
  private othersPerWorkflow = new Map<string, StoreAggregates>();
  /** Executions moved between this node and the others since the last read of theirs. */
  private othersMoved = false;

  /** Seeds this node's counters from stored aggregates (all workflows when `workflowId` is absent). */
  load(aggregates: StoreAggregates, workflowId?: string): void {
    const c = workflowId === undefined ? this.all : this.counters(workflowId);
    c.byStatus = { ...aggregates.byStatus };
    c.compensated = aggregates.compensated;
    c.stepsRun = aggregates.stepsRun;
    c.stepsRetried = aggregates.stepsRetried;
  }

  /** Replaces the counts of the executions other processes hold with a fresh read, by workflow. */
  setOthers(byWorkflow: Map<string, StoreAggregates>): void {
    this.othersPerWorkflow = byWorkflow;
    this.others = sumAggregates(byWorkflow.values());
  }

  /**
   * This node took an execution over (it runs it from now on; `fromOthers`: it was another
   * process's, counted among theirs, rather than placed here by a node that did not count it).
   */
  adopt(execution: CountedExecution, fromOthers: boolean): void {
    addExecution(this.all, execution, 1);
    addExecution(this.counters(execution.workflowId), execution, 1);
    if (!fromOthers) return;
    addExecution(this.others, execution, -1);
    addExecution(this.othersIn(execution.workflowId), execution, -1);
    this.othersMoved = true;
  }

  /** Another node took over an execution this node held: it is counted among theirs from now on. */
  disown(execution: CountedExecution): void {
    addExecution(this.all, execution, -1);
    addExecution(this.counters(execution.workflowId), execution, -1);
    addExecution(this.others, execution, 1);
    addExecution(this.othersIn(execution.workflowId), execution, 1);
    this.othersMoved = true;
  }

  /** Whether executions moved between this node and the others since the last call. */
  takeOthersMoved(): boolean {
    const moved = this.othersMoved;
    this.othersMoved = false;
    return moved;
  }

  /** Marks the others' counts as needing a read (a read that failed). */
  markOthersMoved(): void {
    this.othersMoved = true;
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

  /** A step ran (its first attempt of a visit started). */
  stepRun(workflowId: string): void {
    this.all.stepsRun++;
    this.counters(workflowId).stepsRun++;
  }

  /** A step needed a retry (its first failure of a visit scheduled one). */
  stepRetried(workflowId: string): void {
    this.all.stepsRetried++;
    this.counters(workflowId).stepsRetried++;
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

  /** The snapshot for all workflows or one: this node's executions plus the others'. */
  snapshot(loadDistribution: Record<string, number>, workflowId?: string): MetricsSnapshot {
    const own = workflowId === undefined ? this.all : (this.perWorkflow.get(workflowId) ?? emptyCounters());
    const others = workflowId === undefined ? this.others : this.othersPerWorkflow.get(workflowId);
    const c = merged(own, others ?? emptyAggregates());
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
      avgExecutionMs: own.durations && own.durations.count > 0 ? own.durations.mean : 0,
      p95ExecutionMs: own.durations && own.durations.count > 0 ? own.durations.percentile(95) : 0,
      retryRate: rates.retryRate,
      stepsRun: c.stepsRun,
      durationSample: own.durations?.count ?? 0,
      compensationRate: rates.compensationRate,
      loadDistribution,
    };
  }

  /** Workflows with counters (this node's or the others'). */
  workflows(): string[] {
    return [...new Set([...this.perWorkflow.keys(), ...this.othersPerWorkflow.keys()])];
  }

  private othersIn(workflowId: string): StoreAggregates {
    let a = this.othersPerWorkflow.get(workflowId);
    if (!a) {
      a = emptyAggregates();
      this.othersPerWorkflow.set(workflowId, a);
    }
    return a;
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

/** Adds (`sign` 1) or removes (-1) one execution's share of the counts. */
function addExecution(c: StoreAggregates, e: CountedExecution, sign: 1 | -1): void {
  c.byStatus[e.status] += sign;
  if (e.compensated) c.compensated += sign;
  c.stepsRun += sign * e.stepsRun;
  c.stepsRetried += sign * e.stepsRetried;
}

/**
 * This node's counts plus the others', each at least 0 (the others' may dip below for a moment:
 * an execution taken over after their last read is taken off counts that never had it).
 */
function merged(own: Counters, others: StoreAggregates): Counters {
  const out: StoreAggregates = emptyAggregates();
  addAggregates(out, own);
  addAggregates(out, others);
  for (const state of Object.keys(out.byStatus) as ExecutionState[]) {
    out.byStatus[state] = Math.max(0, out.byStatus[state]);
  }
  return {
    byStatus: out.byStatus,
    compensated: Math.max(0, out.compensated),
    stepsRun: Math.max(0, out.stepsRun),
    stepsRetried: Math.max(0, out.stepsRetried),
    durations: own.durations,
  };
}
