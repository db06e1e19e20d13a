/**
 * Step ends announced once stored. A step that fails for good, or is stopped (cancelled), has its
 * record written with its execution's end (or its move to compensating), not at once (see `unowe`
 * in action-step.ts): its `step.failed` or `step.cancelled` waits for that write, as a
 * `step.completed` waits for the write of its result, so that no event announces an end a crash
 * (or a failed write, or a halt) could lose — a listener that reads the store when it gets the
 * event finds the step ended. Ends held when the run is halted or given up are dropped: the step
 * is stored as it was, and whoever runs it next ends it (and says so) again.
 * @module
 */
import type { ActiveExecution } from './active-execution.js';

/** Holds `announce` (the emit of a step's end) until {@link announceStoredEnds}. */
export function afterEndWritten(ex: ActiveExecution, announce: () => void): void {
  if (ex.unstoredEnds === null) ex.unstoredEnds = [announce];
  else ex.unstoredEnds.push(announce);
}

/** After the write that stored the held ends: announces them, in the order they came. */
export function announceStoredEnds(ex: ActiveExecution): void {
  const ends = ex.unstoredEnds;
  if (ends === null) return;
  ex.unstoredEnds = null;
  for (const announce of ends) announce();
}

/** The run stops without that write (halted, given up): the held ends are never announced here. */
export function dropUnstoredEnds(ex: ActiveExecution): void {
  ex.unstoredEnds = null;
}
