/**
 * `GET /v1/executions` by cursor: `before` (the `nextBefore` of a page) to older pages, `after`
 * (its `prevAfter`) back to newer ones; 400 for a bad cursor, 501 on a store that ignores one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ExecutionFilter, MemoryStore } from '../../src/index.js';
import { closeAll, define, envelope, setup, start } from './helpers.js';

afterEach(closeAll);

type Page = { executions: { id: string }[]; nextBefore: string | null; prevAfter: string | null };

describe('GET /v1/executions by cursor', () => {
  it('pages by cursor: before = the nextBefore of the previous page, each execution once', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await start(f, 'hello'));
    for (const id of ids) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const seen: string[] = [];
    const pages: unknown[] = [];
    let query = 'limit=2';
    for (let round = 0; round < 10; round++) {
      const res = await f.call({ url: `/v1/executions?${query}` });
      expect(res.statusCode, query).toBe(200);
      const body = res.json();
      pages.push({ ...body, executions: body.executions.length });
      seen.push(...body.executions.map((e: { id: string }) => e.id));
      // Created between pages: newer than the cursor, so on no later page.
      await start(f, 'hello');
      if (body.nextBefore === null) break;
      query = `limit=2&before=${body.nextBefore}`;
    }
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toEqual([
      { executions: 2, total: 5, limit: 2, offset: 0, nextBefore: ids[3], prevAfter: null, cut: false },
      { executions: 2, total: 6, limit: 2, offset: 0, nextBefore: ids[1], prevAfter: ids[2], cut: false },
      { executions: 1, total: 7, limit: 2, offset: 0, nextBefore: null, prevAfter: ids[0], cut: false },
    ]);
    // A blank cursor is none.
    expect((await f.call({ url: '/v1/executions?before=&limit=1' })).json().executions).toHaveLength(1);
  });

  it('answers 501 UNSUPPORTED for before on a custom store that ignores it, and lists without it', async () => {
    // A custom adapter written before cursors: it drops the filter's `before`.
    class OldStore extends MemoryStore {
      override listExecutions(filter: ExecutionFilter) {
        const { before: _ignored, ...rest } = filter;
        return super.listExecutions(rest);
      }
    }
    const f = await setup({ orchestrator: { store: new OldStore() } });
    await define(f, 'hello', [{ name: 'greet' }]);
    for (let i = 0; i < 3; i++) await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'));
    const first = await f.call({ url: '/v1/executions?limit=2' });
    expect(first.statusCode).toBe(200);
    const res = await f.call({ url: `/v1/executions?limit=2&before=${first.json().nextBefore}` });
    expect(res.statusCode).toBe(501);
    expect(res.json()).toEqual({
      error: { code: 'UNSUPPORTED', message: expect.stringContaining('before') },
    });
    // Offset paging still works on that store.
    const offset = await f.call({ url: '/v1/executions?limit=2&offset=2' });
    expect(offset.statusCode).toBe(200);
    expect(offset.json().executions).toHaveLength(1);
  });

  it('pages back by after = the prevAfter of the page, then on to executions created since', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await start(f, 'hello'));
    for (const id of ids) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const page = async (query: string): Promise<Page> => {
      const res = await f.call({ url: `/v1/executions?limit=2&${query}` });
      expect(res.statusCode, query).toBe(200);
      return res.json();
    };
    const idsOf = (p: Page) => p.executions.map((e) => e.id);
    const last = await page(`before=${ids[2]}`);
    expect(idsOf(last)).toEqual([ids[1], ids[0]]);
    expect(last.prevAfter).toBe(ids[1]);
    const middle = await page(`after=${last.prevAfter}`);
    // The page nearest the cursor, not the newest: and older pages go on from it.
    expect(middle).toMatchObject({ nextBefore: ids[2], prevAfter: ids[3] });
    expect(idsOf(middle)).toEqual([ids[3], ids[2]]);
    const made = await start(f, 'hello');
    const top = await page(`after=${middle.prevAfter}`);
    expect(idsOf(top)).toEqual([made, ids[4]]);
    expect(top).toMatchObject({ nextBefore: ids[4], prevAfter: made });
    // Shorter than the limit: the newest there is; its prevAfter still pages on to what comes.
    const newest = await page(`after=${ids[4]}`);
    expect(newest).toMatchObject({ nextBefore: made, prevAfter: made });
    expect(idsOf(newest)).toEqual([made]);
    // Nothing newer: an empty page, with no cursor either way.
    expect(await page(`after=${made}`)).toMatchObject({ executions: [], nextBefore: null, prevAfter: null });
    // A page from the newest has no prevAfter; a blank cursor is none.
    expect((await page('after=')).prevAfter).toBeNull();
  });

  it('answers 400 for a bad after, both cursors, and after with an offset', async () => {
    const f = await setup();
    const id = 'exec_00mik5q5c0001a1b2c3d4e5';
    for (const [query, pattern] of [
      ['after=nope', /query\.after: expected an execution id/],
      ['after=exec_123', /query\.after: expected an execution id/],
      [`after=${id}&offset=2`, /offset: expected no offset \(or 0\) with after/],
      [`after=${id}&before=${id}`, /after: expected no after with before/],
    ] as const) {
      const res = await f.call({ url: `/v1/executions?${query}` });
      expect(res.statusCode, query).toBe(400);
      const error = envelope(res);
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(pattern);
    }
  });

  it('answers 501 UNSUPPORTED for after on a custom store that ignores it', async () => {
    class OldStore extends MemoryStore {
      override listExecutions(filter: ExecutionFilter) {
        const { after: _ignored, ...rest } = filter;
        return super.listExecutions(rest);
      }
    }
    const f = await setup({ orchestrator: { store: new OldStore() } });
    await define(f, 'hello', [{ name: 'greet' }]);
    for (let i = 0; i < 5; i++) await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'));
    const older = (await f.call({ url: '/v1/executions?limit=2&offset=3' })).json();
    const res = await f.call({ url: `/v1/executions?limit=2&after=${older.executions[1].id}` });
    expect(res.statusCode).toBe(501);
    expect(res.json()).toEqual({
      error: { code: 'UNSUPPORTED', message: expect.stringContaining('after') },
    });
  });
});
