/**
 * `GET /v1/executions` reads its page from the engine a chunk at a time, so a page of 1,000
 * large executions cut by the byte budget does not hold all 1,000 in memory first; the page is
 * the same as one read would give, by offset, `before` and `after`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ExecutionFilter, MemoryStore } from '../../src/index.js';
import { LIST_READ_CHUNK } from '../../src/server/page-budget.js';
import { closeAll, define, setup, start } from './helpers.js';

afterEach(closeAll);

describe('GET /v1/executions reads in chunks', () => {
  it('reads at most a chunk at a time and pages as one read would', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const ids: string[] = [];
    const count = LIST_READ_CHUNK * 2 + 20;
    for (let i = 0; i < count; i++) ids.push(await start(f, 'hello'));
    for (const id of ids) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const newestFirst = [...ids].reverse();
    const read = vi.spyOn(f.orch.workflowEngine, 'listExecutions');
    const page = async (query: string) => {
      const res = await f.call({ url: `/v1/executions?${query}` });
      expect(res.statusCode, query).toBe(200);
      return res.json() as { executions: { id: string }[]; nextBefore: string | null; cut: boolean };
    };
    const idsOf = async (query: string) => (await page(query)).executions.map((e) => e.id);

    expect(await idsOf('limit=1000')).toEqual(newestFirst);
    expect(await idsOf(`limit=${LIST_READ_CHUNK + 10}&offset=5`)).toEqual(
      newestFirst.slice(5, LIST_READ_CHUNK + 15),
    );
    expect(await idsOf(`limit=${LIST_READ_CHUNK + 10}&before=${newestFirst[3]}`)).toEqual(
      newestFirst.slice(4, LIST_READ_CHUNK + 14),
    );
    // The nearest above the cursor, newest first.
    expect(await idsOf(`limit=${LIST_READ_CHUNK + 10}&after=${ids[2]}`)).toEqual(
      ids.slice(3, LIST_READ_CHUNK + 13).reverse(),
    );
    const full = await page(`limit=${LIST_READ_CHUNK * 2}`);
    expect(full.executions).toHaveLength(LIST_READ_CHUNK * 2);
    expect(full).toMatchObject({ cut: false, nextBefore: newestFirst[LIST_READ_CHUNK * 2 - 1] });
    for (const [options] of read.mock.calls) expect(options?.limit).toBeLessThanOrEqual(LIST_READ_CHUNK);
    expect(read.mock.calls.length).toBeGreaterThan(5);
  });

  it('lets the event loop run between chunks (a SQLite store reads on it)', async () => {
    const f = await setup();
    await define(f, 'hello', [{ name: 'greet' }]);
    const ids: string[] = [];
    for (let i = 0; i < LIST_READ_CHUNK * 3; i++) ids.push(await start(f, 'hello'));
    for (const id of ids) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const turnsAt: number[] = [];
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    const read = f.orch.workflowEngine.listExecutions.bind(f.orch.workflowEngine);
    vi.spyOn(f.orch.workflowEngine, 'listExecutions').mockImplementation((options) => {
      turnsAt.push(turns);
      return read(options);
    });
    setImmediate(spin);
    const res = await f.call({ url: '/v1/executions?limit=1000' });
    spinning = false;
    expect(res.json().executions).toHaveLength(LIST_READ_CHUNK * 3);
    expect(turnsAt.length).toBeGreaterThanOrEqual(3);
    // Each chunk after the first is read after at least one more turn of the loop.
    for (let i = 1; i < turnsAt.length; i++) expect(turnsAt[i]).toBeGreaterThan(turnsAt[i - 1] as number);
  });

  it('goes on by offset on a custom store that ignores cursors, for a page asked for by offset', async () => {
    class OldStore extends MemoryStore {
      override listExecutions(filter: ExecutionFilter) {
        const { before: _b, after: _a, ...rest } = filter;
        return super.listExecutions(rest);
      }
    }
    const f = await setup({ orchestrator: { store: new OldStore() } });
    await define(f, 'hello', [{ name: 'greet' }]);
    const ids: string[] = [];
    for (let i = 0; i < LIST_READ_CHUNK + 10; i++) ids.push(await start(f, 'hello'));
    for (const id of ids) await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const newestFirst = [...ids].reverse();
    const all = await f.call({ url: '/v1/executions?limit=1000' });
    expect(all.statusCode).toBe(200);
    expect(all.json().executions.map((e: { id: string }) => e.id)).toEqual(newestFirst);
    const skipped = await f.call({ url: `/v1/executions?limit=${LIST_READ_CHUNK + 5}&offset=3` });
    expect(skipped.json().executions.map((e: { id: string }) => e.id)).toEqual(
      newestFirst.slice(3, LIST_READ_CHUNK + 8),
    );
  });
});
