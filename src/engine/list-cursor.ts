/**
 * Cursors of execution listings (`listExecutions`' `before` and `after`): the place in the
 * newest-first order an execution id names, and the check that the store honoured it.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { OrchestratorError, ValidationError } from '../errors.js';
import { EXECUTION_ID_SHAPE, executionIdTime } from '../ids.js';
import { type ListPosition, listsAfter } from '../store/list-position.js';
import type { ExecutionSnapshot, Store } from '../store/store.js';

/** Which way a cursor pages: `before` to older executions, `after` to newer ones. */
export type CursorKey = 'before' | 'after';

/**
 * The place in the listing a cursor names: the creation time its id holds (the engine stores
 * that as the execution's `createdAt`) and the id, so the cursor works whether or not the
 * execution is still stored (retention may have purged it).
 * @throws ValidationError (path `key`) for anything but an execution id this engine makes.
 */
export function listCursor(cursor: unknown, key: CursorKey = 'before'): ListPosition {
  const createdAt = typeof cursor === 'string' ? executionIdTime(cursor) : null;
  if (createdAt === null) {
    throw new ValidationError(
      [{ path: key, message: cursorProblem(cursor)! }],
      'Invalid listExecutions options',
    );
  }
  return { createdAt, id: cursor as string };
}

/**
 * What is wrong with a value as a cursor (the message of its issue), or null when it is an
 * execution id this engine makes. (describeValue cuts a long string, see echo.ts.)
 */
export function cursorProblem(cursor: unknown): string | null {
  if (typeof cursor === 'string' && executionIdTime(cursor) !== null) return null;
  return `expected ${EXECUTION_ID_SHAPE}, got ${describeValue(cursor)}`;
}

/** A place no execution lists before: later than any creation time an id holds. */
const FAR_FUTURE: ListPosition = { createdAt: Number.MAX_SAFE_INTEGER, id: '' };

/** Stores seen to honour `after` (a store's listing code does not change while it runs). */
const honoursAfter = new WeakSet<Store>();

/**
 * A custom store written before a cursor ignores it and lists from the newest: with `before`,
 * each page would be the first again (a client paging on until a short page would never end);
 * with `after`, a page nearer the top than the one asked for. Rows on the wrong side of the place
 * show the first. The second shows only when they do not: a full page of newer executions may be
 * the right one or the newest; so, once per store, a listing with `after` a place no execution
 * can be newer than must come back empty.
 * @throws OrchestratorError `UNSUPPORTED` when the store did not honour the cursor.
 */
export async function checkHonoured(
  store: Store,
  rows: readonly ExecutionSnapshot[],
  position: ListPosition,
  key: CursorKey,
): Promise<void> {
  const onItsSide =
    key === 'before'
      ? rows.every((row) => listsAfter(row.execution, position))
      : rows.every((row) => listsAfter(position, row.execution));
  if (onItsSide && (key === 'before' || rows.length === 0 || honoursAfter.has(store))) return;
  if (onItsSide && (await store.listExecutions({ limit: 1, after: FAR_FUTURE })).length === 0) {
    honoursAfter.add(store);
    return;
  }
  const side = key === 'before' ? 'after' : 'before';
  throw new OrchestratorError(
    'UNSUPPORTED',
    `The ${store.kind} store cannot list executions ${side} a cursor: its listExecutions ignores the filter's ${key}`,
  );
}
