/**
 * The footer of `orchestrator list`: what the page holds and where the pages next to it are. A
 * page read with --before (an older page) named only the next page, not `--after <first id>` to
 * go back to the previous one, though there always is one: the page it was read from.
 */
import { describe, expect, it } from 'vitest';
import { listFooter } from '../../../src/cli/list-footer.js';

const page = { first: 'ex_first', last: 'ex_last', limit: 2, total: 9 };

describe('listFooter', () => {
  it('names both pages for a full page read with --before', () => {
    expect(listFooter({ ...page, count: 2, before: 'ex_c' })).toBe(
      '2 executions older than ex_c; next page: --before ex_last; previous page: --after ex_first (newest first)',
    );
  });

  it('names the previous page only for the last page read with --before', () => {
    expect(listFooter({ ...page, count: 1, before: 'ex_c' })).toBe(
      '1 execution older than ex_c; previous page: --after ex_first (newest first)',
    );
  });

  it('names both pages for a full page read with --after', () => {
    expect(listFooter({ ...page, count: 2, after: 'ex_c' })).toBe(
      '2 executions newer than ex_c; next page: --before ex_last; previous page: --after ex_first (newest first)',
    );
  });

  it('names the next page only for the newest page read with --after', () => {
    expect(listFooter({ ...page, count: 1, after: 'ex_c' })).toBe(
      '1 execution newer than ex_c, the newest; next page: --before ex_last (newest first)',
    );
  });

  it('names the next page of the first page when more are stored', () => {
    expect(listFooter({ ...page, count: 2 })).toBe(
      '2 executions of 9; use --limit to see more, or --before ex_last for the next page (newest first)',
    );
    expect(listFooter({ ...page, count: 2, total: 2 })).toBe('2 executions (newest first)');
  });
});
