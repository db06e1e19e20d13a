/**
 * The byte budget of a listing page: `GET /v1/executions` ends a page early once its executions'
 * JSON would pass it, so a page of 1,000 executions with large inputs and outputs is not hundreds
 * of megabytes. The page's cursors (or `offset` + its length) go on from where it ended.
 * @module
 */

/** The most bytes of execution JSON one listing page holds (one larger execution comes alone). */
export const LIST_PAGE_BYTES = 8 * 1024 * 1024;

/**
 * The part of a page (`items`, newest first) whose JSON (`toJson` of each) fits `budget` bytes,
 * taken from the side its cursor is on: the newest for a page read from the top or with `before`,
 * the oldest for one read with `after` (whose cursor lies below it), so the page still lies next
 * to its cursor and the left-out ones are the next page that way. The first one taken is kept
 * whatever its size; those left out are not converted. `cut` says whether any was left out.
 */
export function fitPage<T, J>(
  items: readonly T[],
  toJson: (item: T) => J,
  fromOldest: boolean,
  budget: number = LIST_PAGE_BYTES,
): { items: J[]; cut: boolean } {
  const order = fromOldest ? [...items].reverse() : items;
  const kept: J[] = [];
  let bytes = 0;
  for (const item of order) {
    const json = toJson(item);
    const size = Buffer.byteLength(JSON.stringify(json) ?? '');
    if (kept.length > 0 && bytes + size > budget) break;
    kept.push(json);
    bytes += size;
  }
  const cut = kept.length < items.length;
  return { items: fromOldest ? kept.reverse() : kept, cut };
}
