/**
 * `GET /v1/executions` keeps a page's JSON near a byte budget: a page of large executions ends
 * early, says so (`cut`), and its cursors (or `offset` + its length) page on through every one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LIST_PAGE_BYTES } from '../../src/server/page-budget.js';
import { closeAll, define, setup, start } from './helpers.js';

afterEach(closeAll);

type Page = {
  executions: { id: string }[];
  nextBefore: string | null;
  prevAfter: string | null;
  cut: boolean;
};

describe('GET /v1/executions page size in bytes', () => {
  it('ends a page of large executions early, with cursors that page on through all of them', async () => {
    // Each execution holds its step's output twice (outputData and steps[0].output): 2/7 of the
    // budget, so a page holds three, not all five.
    const big = 'x'.repeat(Math.floor(LIST_PAGE_BYTES / 7));
    const f = await setup({ orchestrator: { actions: { big: () => big } } });
    await define(f, 'large', [{ name: 'big' }]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await start(f, 'large'));
    for (const id of ids) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const newestFirst = [...ids].reverse();

    const page = async (query: string): Promise<Page> => {
      const res = await f.call({ url: `/v1/executions?limit=1000&${query}` });
      expect(res.statusCode, query).toBe(200);
      expect(res.body.length, query).toBeLessThanOrEqual(LIST_PAGE_BYTES + 64 * 1024);
      return res.json();
    };
    const idsOf = (p: Page) => p.executions.map((e) => e.id);

    const first = await page('');
    expect(idsOf(first)).toEqual(newestFirst.slice(0, 3));
    expect(first).toMatchObject({ cut: true, nextBefore: newestFirst[2], prevAfter: null });
    const last = await page(`before=${first.nextBefore}`);
    expect(idsOf(last)).toEqual(newestFirst.slice(3));
    expect(last).toMatchObject({ cut: false, nextBefore: null });

    // Read with `after`, the page keeps the executions nearest its cursor (the oldest of the
    // newer ones): prevAfter pages on to the newer ones it left out.
    const back = await page(`after=${ids[0]}`);
    expect(idsOf(back)).toEqual([ids[3], ids[2], ids[1]]);
    expect(back).toMatchObject({ cut: true, prevAfter: ids[3], nextBefore: ids[1] });
    expect(idsOf(await page(`after=${back.prevAfter}`))).toEqual([ids[4]]);

    // Offset paging goes on at offset + the page's length.
    expect(idsOf(await page('offset=1'))).toEqual(newestFirst.slice(1, 4));
  });

  it('sends one execution larger than the budget on a page of its own', async () => {
    const huge = 'y'.repeat(LIST_PAGE_BYTES + 1024);
    const f = await setup({ orchestrator: { actions: { huge: () => huge } } });
    await define(f, 'huge', [{ name: 'huge' }]);
    const ids = [await start(f, 'huge'), await start(f, 'huge')];
    for (const id of ids) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const res = await f.call({ url: '/v1/executions?limit=10' });
    const body = res.json() as Page;
    expect(body.executions.map((e) => e.id)).toEqual([ids[1]]);
    expect(body).toMatchObject({ cut: true, nextBefore: ids[1] });
  });

  it('does not cut a page of small executions', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    for (let i = 0; i < 3; i++) await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'));
    const body = (await f.call({ url: '/v1/executions?limit=2' })).json() as Page;
    expect(body.executions).toHaveLength(2);
    expect(body.cut).toBe(false);
  });
});
