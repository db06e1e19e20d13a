/**
 * The footer of `orchestrator list`: how many executions the page shows, from where, and the
 * options that read the pages next to it.
 * @module
 */
import { plural } from './format.js';

/** A page of `list` as read, newest first. */
export interface ListedPage {
  /** Executions shown. */
  count: number;
  /** The `--limit` it was read with: a page that long may have more past it. */
  limit: number;
  /** Ids of its first (newest) and last (oldest) execution. */
  first: string;
  last: string;
  /** Executions the listing matches in all (read without a cursor). */
  total: number;
  /** The `--before` or `--after` cursor it was read with. */
  before?: string;
  after?: string;
}

/**
 * 'N executions older than <id>; next page: --before <last>; previous page: --after <first>
 * (newest first)': older and newer, as `--before` and `--after` read them (a page "after" the
 * cursor in the listing's order was older than it, which read backwards). An older page (read with `--before`) always has a previous one; a full page may have a
 * next one (read with `--after`: a newer one too; a shorter one is the newest). Older pages
 * always follow a page read with `--after`.
 */
export function listFooter(page: ListedPage): string {
  const shown = plural(page.count, 'execution');
  const full = page.count === page.limit;
  const next = `next page: --before ${page.last}`;
  const previous = `previous page: --after ${page.first}`;
  let parts: string[];
  if (page.after !== undefined) {
    parts = [
      `${shown} newer than ${page.after}${full ? '' : ', the newest'}`,
      next,
      ...(full ? [previous] : []),
    ];
  } else if (page.before !== undefined) {
    parts = [`${shown} older than ${page.before}`, ...(full ? [next] : []), previous];
  } else if (page.total > page.count) {
    parts = [
      `${shown} of ${page.total}`,
      `use --limit to see more, or --before ${page.last} for the next page`,
    ];
  } else {
    parts = [shown];
  }
  return `${parts.join('; ')} (newest first)`;
}
