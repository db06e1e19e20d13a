/**
 * `listExecutions` on SQLite reads a large page a chunk at a time (`SQLITE_LIST_CHUNK` rows), on
 * by cursor, letting the event loop turn between chunks: the file is read synchronously, and a
 * listing of 10,000 executions held timers, heartbeats and HTTP requests until it was read. The
 * chunks make the same page as one read.
 */
import { describe, expect, it } from 'vitest';
import { SQLITE_LIST_CHUNK } from '../../src/engine/execution-queries.js';
import { storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

const TOTAL = 3 * SQLITE_LIST_CHUNK + 50;

const idsOf = (page: { id: string }[]) => page.map((s) => s.id);

describe('listExecutions on SQLite with a limit above a chunk', () => {
  it('lists the same executions as page by page, letting the event loop turn meanwhile', async () => {
    const orch = await withOrchestrator({ store: storeUrl('sqlite'), actions: { done: () => 1 } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('quick', [{ name: 'done' }]);
    const made: string[] = [];
    for (let i = 0; i < TOTAL; i++) made.push(await engine.executeWorkflow('quick'));
    for (const id of made) await engine.waitForCompletion(id, { timeout: 10 });

    // Page by page, each of less than a chunk.
    const paged: string[] = [];
    for (;;) {
      const last = paged[paged.length - 1];
      const page = await engine.listExecutions({ limit: 100, ...(last ? { before: last } : {}) });
      if (page.length === 0) break;
      paged.push(...idsOf(page));
    }
    expect(paged).toHaveLength(TOTAL);
    expect(new Set(paged)).toEqual(new Set(made));

    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const whole = await engine.listExecutions({ limit: TOTAL });
    counting = false;
    expect(idsOf(whole)).toEqual(paged);
    // One turn at least between each two of the four chunks.
    expect(turns).toBeGreaterThanOrEqual(3);

    expect(idsOf(await engine.listExecutions({ limit: 2 * SQLITE_LIST_CHUNK, offset: 100 }))).toEqual(
      paged.slice(100, 100 + 2 * SQLITE_LIST_CHUNK),
    );
    const after = paged[TOTAL - 10]!;
    expect(idsOf(await engine.listExecutions({ limit: 2 * SQLITE_LIST_CHUNK + 1, after }))).toEqual(
      paged.slice(TOTAL - 10 - (2 * SQLITE_LIST_CHUNK + 1), TOTAL - 10),
    );
    const before = paged[5]!;
    expect(idsOf(await engine.listExecutions({ limit: TOTAL, before, status: 'completed' }))).toEqual(
      paged.slice(6),
    );
  });
});
