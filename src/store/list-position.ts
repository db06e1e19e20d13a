/**
 * Keyset paging of execution listings: a place in the newest-first order, `(createdAt, id)` both
 * descending, that pages on from there whether or not an execution is still stored at it.
 * @module
 */

/** A place in the newest-first listing order: the creation time (ms) and id of an execution. */
export interface ListPosition {
  createdAt: number;
  id: string;
}

/** Whether `record` lists after `position` newest first: created earlier, or then with a lower id. */
export function listsAfter(record: ListPosition, position: ListPosition): boolean {
  return (
    record.createdAt < position.createdAt ||
    (record.createdAt === position.createdAt && record.id < position.id)
  );
}
