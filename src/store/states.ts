/**
 * Execution-state sets the store adapters share.
 * @module
 */
import { ValidationError } from '../errors.js';
import { EXECUTION_STATES, type ExecutionState } from '../types.js';
import type { AggregateFilter, StoreAggregates } from './store.js';

/** States of an execution that still has work to do: what claims, leases and cancels look at. */
export const UNFINISHED_STATES: ReadonlySet<ExecutionState> = new Set(['pending', 'running', 'compensating']);

/**
 * States a cancel applies to (`cancelWorkflow` answers true after ending it cancelled); one
 * compensating for an earlier cancel is waited for instead, one finished or compensating for a
 * failure is left as it is. The dashboard offers its cancel button in these states.
 */
export const CANCELLABLE_STATES: ReadonlySet<ExecutionState> = new Set(['pending', 'running']);

/** The SQL condition "the execution is unfinished" on a `status` column (both SQL adapters). */
export const UNFINISHED_SQL = `status IN (${[...UNFINISHED_STATES].map((s) => `'${s}'`).join(', ')})`;

/** The same test for the finished states (what retention may delete). */
export const FINISHED_SQL = "status IN ('completed', 'failed', 'cancelled')";

/** Counts of every execution state, all zero. */
export function emptyStatusCounts(): Record<ExecutionState, number> {
  return Object.fromEntries(EXECUTION_STATES.map((state) => [state, 0])) as Record<ExecutionState, number>;
}

/** Aggregates of no execution. */
export function emptyAggregates(): StoreAggregates {
  return { byStatus: emptyStatusCounts(), compensated: 0, stepsRun: 0, stepsRetried: 0 };
}

/** Adds `more` into `out`. */
export function addAggregates(out: StoreAggregates, more: StoreAggregates): void {
  for (const state of EXECUTION_STATES) out.byStatus[state] += more.byStatus[state];
  out.compensated += more.compensated;
  out.stepsRun += more.stepsRun;
  out.stepsRetried += more.stepsRetried;
}

/** The sum of per-workflow aggregates: the aggregates of every execution. */
export function sumAggregates(parts: Iterable<StoreAggregates>): StoreAggregates {
  const out = emptyAggregates();
  for (const part of parts) addAggregates(out, part);
  return out;
}

/**
 * Which executions an `AggregateFilter` selects: one owner's, all but one owner's, or all.
 * @throws ValidationError when it names both an owner and one to leave out.
 */
export function checkAggregateFilter(filter: AggregateFilter): 'owner' | 'except' | 'all' {
  if (filter.owner !== undefined && filter.exceptOwner !== undefined) {
    throw new ValidationError(
      [{ path: 'filter', message: 'expected owner or exceptOwner, not both' }],
      'Invalid aggregate filter',
    );
  }
  return filter.owner !== undefined ? 'owner' : filter.exceptOwner !== undefined ? 'except' : 'all';
}
