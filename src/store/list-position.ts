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

/** Newest first, for a sort: `createdAt` descending, then `id` descending (the order {@link listsAfter} pages in). */
export function newestFirst(a: ListPosition, b: ListPosition): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
