// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * SPEC §3: `result` is the previous step's output, and jumps may go back. In a loop whose body is
 * one step feeding itself through `result` (pagination, polling), each visit sees the previous
 * visit's output — also when the process restarted in the middle of a visit.
 */
import { describe, expect, it } from 'vitest';
import { type ActionHandler, FakeClock } from '../../src/index.js';
import {
  finishWithClock,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

const paginate = [
  { name: 'start' },
  { name: 'fetch', input: "{'page': result.page + 1}" },
  { name: 'more', condition: 'result.page < 3', then: 'fetch' },
];

describe.each(STORE_KINDS)('a step that loops to itself (%s store)', (kind) => {
  it("sees its previous visit's output as `result`", async () => {
    const pages: number[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        start: () => ({ page: 0 }),
        fetch: (input) => {
          const { page } = input as { page: number };
          pages.push(page);
          return { page };
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('paginate', paginate);
    const status = await runToEnd(orch, 'paginate');
    expect(status.error).toBeUndefined();
    expect(status.status).toBe('completed');
    expect(pages).toEqual([1, 2, 3]);
    expect(status.outputData).toEqual({ start: { page: 0 }, fetch: { page: 3 } });
  });
});

describe('a step that loops to itself, across a restart (sqlite store)', () => {
  it('the interrupted visit runs again with the same input', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const pages: number[] = [];
    const fetch =
      (hangOn: number | null): ActionHandler =>
      (input, ctx) => {
        const { page } = input as { page: number };
        pages.push(page);
        return page === hangOn ? untilAborted(ctx.signal) : { page };
      };
    const first = await withOrchestrator({
      store,
      clock,
      actions: { start: () => ({ page: 0 }), fetch: fetch(2) },
    });
    await first.workflowEngine.defineWorkflow('paginate', paginate);
    const id = await first.workflowEngine.executeWorkflow('paginate');
    while (pages.length < 2) await clock.advance(10);
    await first.close();
    const second = await withOrchestrator({
      store,
      clock,
      actions: { start: () => ({ page: 0 }), fetch: fetch(null) },
    });
    const status = await finishWithClock(second, clock, id);
    expect(status.status).toBe('completed');
    expect(pages).toEqual([1, 2, 2, 3]);
  });
});
