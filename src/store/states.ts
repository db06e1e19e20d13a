/**
 * Execution-state sets the store adapters share.
 * @module
 */
import type { ExecutionState } from '../types.js';

/** States of an execution that still has work to do: what claims, leases and cancels look at. */
export const UNFINISHED_STATES: ReadonlySet<ExecutionState> = new Set(['pending', 'running', 'compensating']);

/** Counts of every execution state, all zero. */
export function emptyStatusCounts(): Record<ExecutionState, number> {
  return { pending: 0, running: 0, compensating: 0, completed: 0, failed: 0, cancelled: 0 };
}
