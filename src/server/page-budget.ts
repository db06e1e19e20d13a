/**
 * The byte budget of a listing page: `GET /v1/executions` ends a page early once its executions'
 * JSON would pass it, so a page of 1,000 executions with large inputs and outputs is not hundreds
 * of megabytes. The page's cursors (or `offset` + its length) go on from where it ended. The page
 * is read from the engine a chunk at a time, so the executions past the budget are not read at all.
 * @module
 */
import { OrchestratorError } from '../errors.js';

/** The most bytes of execution JSON one listing page holds (one larger execution comes alone). */
export const LIST_PAGE_BYTES = 8 * 1024 * 1024;

/** The most executions a page reads from the engine at once. */
export const LIST_READ_CHUNK = 50;

/** Which executions a page (or one chunk of it) lists: as `listExecutions` takes them. */
export interface PageWindow {
  limit: number;
  offset: number;
  before?: string;
  after?: string;
}

/** One execution of a page as it is sent: its id and its JSON text. */
export interface PageItem {
  id: string;
  text: string;
}

/**
 * Reads the page `request` asks for with `read` (newest first, as `listExecutions`), a chunk at a
 * time, keeping what fits `budget` bytes of JSON (`toText` of each, which is what the page sends:
 * each execution is turned into JSON once). It goes from the side the cursor is on: down from the
 * newest (or `before`), up from `after` (the page then holds those nearest above it), so the page
 * lies next to its cursor and those left out are the next page that way. Each chunk after the
 * first goes on from the last one read by cursor; on a store that cannot (a custom one ignoring
 * cursors) a page asked for by offset goes on by offset. The first execution is kept whatever its
 * size. `cut` says whether the budget left any out.
 */
export async function readPage<T extends { id: string }>(
  read: (window: PageWindow) => Promise<T[]>,
  toText: (item: T) => string,
  request: PageWindow,
  budget: number = LIST_PAGE_BYTES,
): Promise<{ items: PageItem[]; cut: boolean }> {
  const upward = request.after !== undefined;
  const kept: PageItem[] = [];
  const seen = new Set<string>();
  const done = (cut: boolean) => ({ items: upward ? kept.reverse() : kept, cut });
  let bytes = 0;
  let window: PageWindow = request;
  let byOffset = false;
  for (;;) {
    const limit = Math.min(LIST_READ_CHUNK, request.limit - kept.length);
    let rows: T[];
    try {
      rows = await read({ ...window, limit });
    } catch (error) {
      // Gone on by cursor from a page asked for by offset, on a store that ignores cursors.
      const fallback = window !== request && request.before === undefined && !upward && !byOffset;
      if (!fallback || !(error instanceof OrchestratorError) || error.code !== 'UNSUPPORTED') throw error;
      byOffset = true;
      window = { limit, offset: request.offset + seen.size };
      continue;
    }
    // Nearest to the cursor first: with `after`, the oldest.
    const ordered = upward ? [...rows].reverse() : rows;
    for (const row of ordered) {
      if (seen.has(row.id)) continue;
      const text = toText(row);
      const size = Buffer.byteLength(text);
      if (kept.length > 0 && bytes + size > budget) return done(true);
      seen.add(row.id);
      kept.push({ id: row.id, text });
      bytes += size;
      if (kept.length === request.limit) return done(false);
    }
    const edge = ordered[ordered.length - 1];
    if (rows.length < limit || !edge) return done(false);
    window = byOffset
      ? { limit, offset: request.offset + seen.size }
      : { limit, offset: 0, ...(upward ? { after: edge.id } : { before: edge.id }) };
    // The event loop runs between chunks: a SQLite store reads on it, and four clients reading
    // pages of 1,000 stalled running workflows for up to 0.7 s at a time.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The JSON text of `{ [key]: [...pieces], ...rest }` where each piece is already JSON text: what
 * `JSON.stringify` gives for that object with the pieces parsed, without turning them into JSON
 * again. `rest` must not hold `key`, nor keys that are array indices (`'0'`: an object lists those
 * first).
 */
export function jsonWithList(key: string, pieces: readonly string[], rest: Record<string, unknown>): string {
  const tail = JSON.stringify(rest);
  return `{${JSON.stringify(key)}:[${pieces.join(',')}]${tail === '{}' ? '}' : `,${tail.slice(1)}`}`;
}
