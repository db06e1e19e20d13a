/**
 * Execution ids: time-ordered (so newest-first listings and FIFO claims agree with ids),
 * unique across nodes, URL-safe. The random part is drawn once per process: ids from one
 * process differ by their counter, ids from two processes by that random part.
 * @module
 */
import { randomBytes } from 'node:crypto';

const PROCESS_PART = randomBytes(5).toString('hex');
let counter = 0;

/** The latest time 9 base-36 characters hold (ms, in the year 5188). */
const LAST_ID_TIME = 36 ** 9 - 1;

/**
 * The creation time an execution created at `nowMs` is stored with and its id holds: `nowMs` in
 * whole milliseconds, within what an id can hold (a clock before 1970, as a test's can be, gives 0).
 * Listings sort by it then by id, and a `before` cursor reads it back from the id.
 */
export function executionTime(nowMs: number): number {
  return Math.min(LAST_ID_TIME, Math.max(0, Math.floor(nowMs)));
}

/** `exec_` + 9 base-36 chars of time + 4 of a process-wide counter + 10 hex of the process. */
export function newExecutionId(nowMs: number): string {
  const ms = executionTime(nowMs);
  // Never reset: with several clocks in one process (tests), a reset could repeat an id.
  counter = (counter + 1) % 1_679_616;
  return `exec_${ms.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${PROCESS_PART}`;
}

/** An id of {@link newExecutionId}: its time part is group 1. */
export const EXECUTION_ID = /^exec_([0-9a-z]{9})[0-9a-z]{4}[0-9a-f]{10}$/;

/** What an execution id looks like, for "expected …" messages. */
export const EXECUTION_ID_SHAPE =
  'an execution id (exec_ followed by 23 lowercase letters and digits, the last 10 of them 0-9 or a-f)';

/**
 * The creation time (ms) an id of {@link newExecutionId} holds, which is the `createdAt` the engine
 * stores with it; null for a string not of that shape.
 */
export function executionIdTime(id: string): number | null {
  const match = EXECUTION_ID.exec(id);
  return match ? Number.parseInt(match[1]!, 36) : null;
}
