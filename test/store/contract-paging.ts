/**
 * Store contract, part 4: keyset paging of listings, from a place in the newest-first order
 * (`before`: the older executions; `after`: the newer ones nearest to it), whether or not an
 * execution is stored there.
 * @module
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ListPosition } from '../../src/store/list-position.js';
import type { CurrentStore } from './contract.js';
import { ids, seed } from './contract-queries.js';
import { makeExecution } from './records.js';

type Filters = { status?: 'completed'; workflowId?: string };

/** listExecutions with `before` and `after`. */
export function pagingContract(store: CurrentStore): void {
  describe('paging by position', () => {
    beforeEach(async () => {
      await Promise.all(seed().map((e) => store().createExecution(e)));
    });

    it('pages after a position (createdAt, id), stored there or not, with the same filters', async () => {
      const listAfter = async (createdAt: number, id: string, more: Filters = {}) =>
        ids(await store().listExecutions({ limit: 10, ...more, before: { createdAt, id } }));
      expect(await listAfter(3000, 't3b')).toEqual(['t3a', 't2', 't1']);
      expect(await listAfter(3000, 't3a')).toEqual(['t2', 't1']);
      // A position no execution holds (one purged since, say): what comes after it all the same.
      expect(await listAfter(3000, 't3c')).toEqual(['t3b', 't3a', 't2', 't1']);
      expect(await listAfter(3000, 't3')).toEqual(['t2', 't1']);
      expect(await listAfter(4500, 'zzz')).toEqual(['t4', 't3b', 't3a', 't2', 't1']);
      // Time first: an id that sorts higher does not count at an earlier time.
      expect(await listAfter(2000, 'zzz')).toEqual(['t2', 't1']);
      expect(await listAfter(1000, 't1')).toEqual([]);
      expect(await listAfter(9000, 'a')).toEqual(['t5', 't4', 't3b', 't3a', 't2', 't1']);
      expect(await listAfter(5000, 't5', { status: 'completed' })).toEqual(['t3b', 't1']);
      expect(await listAfter(3000, 't3b', { workflowId: 'w1' })).toEqual(['t3a', 't1']);
      expect(await listAfter(3000, 't3b', { workflowId: 'w1', status: 'completed' })).toEqual(['t1']);
      expect(ids(await store().listExecutions({ limit: 2, before: { createdAt: 5000, id: 't5' } }))).toEqual([
        't4',
        't3b',
      ]);
      // An offset counts from the position.
      expect(
        ids(await store().listExecutions({ limit: 2, offset: 1, before: { createdAt: 5000, id: 't5' } })),
      ).toEqual(['t3b', 't3a']);
    });

    it('pages through everything by position, each execution once', async () => {
      const seen: string[] = [];
      let before: ListPosition | undefined;
      // Bounded: a store that ignored the position would page forever.
      for (let round = 0; round < 5; round++) {
        const page = await store().listExecutions({ limit: 4, ...(before ? { before } : {}) });
        if (page.length === 0) break;
        seen.push(...ids(page));
        const last = page[page.length - 1]!.execution;
        before = { createdAt: last.createdAt, id: last.id };
        // A newer execution created between pages is not met on later pages.
        await store().createExecution(
          makeExecution({ id: `new${seen.length}`, createdAt: 10_000 + seen.length }),
        );
      }
      expect(seen).toEqual(['t5', 't4', 't3b', 't3a', 't2', 't1']);
    });

    it('pages before a position (createdAt, id), stored there or not, with the same filters', async () => {
      const listBefore = async (createdAt: number, id: string, more: Filters = {}) =>
        ids(await store().listExecutions({ limit: 10, ...more, after: { createdAt, id } }));
      expect(await listBefore(3000, 't3a')).toEqual(['t5', 't4', 't3b']);
      expect(await listBefore(3000, 't3b')).toEqual(['t5', 't4']);
      // A position no execution holds (one purged since, say): what comes before it all the same.
      expect(await listBefore(3000, 't3c')).toEqual(['t5', 't4']);
      expect(await listBefore(3000, 't3')).toEqual(['t5', 't4', 't3b', 't3a']);
      expect(await listBefore(1500, 'zzz')).toEqual(['t5', 't4', 't3b', 't3a', 't2']);
      // Time first: an id that sorts lower does not count at a later time.
      expect(await listBefore(4000, 'zzz')).toEqual(['t5']);
      expect(await listBefore(2000, 'a')).toEqual(['t5', 't4', 't3b', 't3a', 't2']);
      expect(await listBefore(5000, 't5')).toEqual([]);
      expect(await listBefore(0, '')).toEqual(['t5', 't4', 't3b', 't3a', 't2', 't1']);
      expect(await listBefore(1000, 't1', { status: 'completed' })).toEqual(['t3b']);
      expect(await listBefore(1000, 't1', { workflowId: 'w1' })).toEqual(['t5', 't3b', 't3a']);
      expect(await listBefore(1000, 't1', { workflowId: 'w1', status: 'completed' })).toEqual(['t3b']);
      expect(await listBefore(3000, 't3a', { workflowId: 'w2' })).toEqual(['t4']);
    });

    it('with a limit, returns the executions nearest to the position, newest first', async () => {
      const page = async (after: ListPosition, more: { limit?: number; offset?: number } & Filters = {}) =>
        ids(await store().listExecutions({ limit: 2, ...more, after }));
      expect(await page({ createdAt: 1000, id: 't1' })).toEqual(['t3a', 't2']);
      expect(await page({ createdAt: 2000, id: 't2' })).toEqual(['t3b', 't3a']);
      expect(await page({ createdAt: 3000, id: 't3a' })).toEqual(['t4', 't3b']);
      expect(await page({ createdAt: 0, id: '' }, { limit: 1 })).toEqual(['t1']);
      expect(await page({ createdAt: 0, id: '' }, { workflowId: 'w1' })).toEqual(['t3a', 't1']);
      expect(await page({ createdAt: 1000, id: 't1' }, { status: 'completed', limit: 1 })).toEqual(['t3b']);
      // An offset counts from the position.
      expect(await page({ createdAt: 1000, id: 't1' }, { offset: 1 })).toEqual(['t3b', 't3a']);
      expect(await page({ createdAt: 1000, id: 't1' }, { offset: 4 })).toEqual(['t5']);
      expect(await page({ createdAt: 1000, id: 't1' }, { limit: 0 })).toEqual([]);
    });

    it('with before and after, lists between them, nearest to after', async () => {
      const between = { before: { createdAt: 5000, id: 't5' }, after: { createdAt: 2000, id: 't2' } };
      expect(ids(await store().listExecutions({ limit: 10, ...between }))).toEqual(['t4', 't3b', 't3a']);
      expect(ids(await store().listExecutions({ limit: 2, ...between }))).toEqual(['t3b', 't3a']);
    });

    it('pages up through everything by position, each execution once', async () => {
      const pages: string[][] = [];
      let after: ListPosition = { createdAt: 0, id: '' };
      // Bounded: a store that ignored the position would page forever.
      for (let round = 0; round < 5; round++) {
        const page = await store().listExecutions({ limit: 4, after });
        if (page.length === 0) break;
        pages.push(ids(page));
        const first = page[0]!.execution;
        after = { createdAt: first.createdAt, id: first.id };
        // An older execution created between pages is not met on later pages; a newer one is.
        await store().createExecution(makeExecution({ id: `old${round}`, createdAt: 500 + round }));
        if (round === 0) await store().createExecution(makeExecution({ id: 't9', createdAt: 9000 }));
      }
      expect(pages).toEqual([
        ['t3b', 't3a', 't2', 't1'],
        ['t9', 't5', 't4'],
      ]);
    });
  });
}
