/**
 * Cursors of execution listings (`listExecutions`' `before`): the place in the newest-first order
 * an execution id names, and the check that the store honoured it.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { OrchestratorError, ValidationError } from '../errors.js';
import { EXECUTION_ID_SHAPE, executionIdTime } from '../ids.js';
import { type ListPosition, listsAfter } from '../store/list-position.js';
import type { ExecutionSnapshot, Store } from '../store/store.js';

/**
 * The place in the listing a `before` cursor names: the creation time its id holds (the engine
 * stores that as the execution's `createdAt`) and the id, so the cursor works whether or not the
 * execution is still stored (retention may have purged it).
 * @throws ValidationError (path `before`) for anything but an execution id this engine makes.
 */
export function listCursor(before: unknown): ListPosition {
  const createdAt = typeof before === 'string' ? executionIdTime(before) : null;
  if (createdAt === null) {
    throw new ValidationError([{ path: 'before', message: cursorProblem(before)! }], 'Invalid listing');
  }
  return { createdAt, id: before as string };
}

/**
 * What is wrong with `before` as a cursor (the message of the `before` issue), or null when it
 * is an execution id this engine makes. (describeValue cuts a long string, see echo.ts.)
 */
export function cursorProblem(before: unknown): string | null {
  if (typeof before === 'string' && executionIdTime(before) !== null) return null;
  return `expected ${EXECUTION_ID_SHAPE}, got ${describeValue(before)}`;
}

/**
 * A custom store written before cursors ignores `before` and lists from the newest: each page
 * would be the first again (a client paging on until a short page would never end).
 * @throws OrchestratorError `UNSUPPORTED` when `rows` holds one that is not after `position`.
 */
export function checkHonoured(
  store: Store,
  rows: readonly ExecutionSnapshot[],
  position: ListPosition,
): void {
  if (rows.every((row) => listsAfter(row.execution, position))) return;
  throw new OrchestratorError(
    'UNSUPPORTED',
    `The ${store.kind} store cannot list executions after a cursor: its listExecutions ignores the filter's before`,
  );
}
