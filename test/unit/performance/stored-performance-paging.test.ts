/**
 * The store's performance figures read the newest `limit` finished executions — completed, failed
 * and cancelled merged newest first — a page of each state at a time, never a thousand executions
 * (and their outputs) at once.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/index.js';
import { storedPerformance } from '../../../src/performance/stored-performance.js';
import type { ExecutionFilter } from '../../../src/store/store.js';
import { makeExecution } from '../../store/records.js';

const STATES = ['completed', 'failed', 'cancelled', 'running'] as const;

describe('storedPerformance', () => {
  it('merges the finished states newest first, a page at a time', async () => {
    const store = new MemoryStore();
    await store.init();
    // Execution i is created at 1000 + i and takes i ms; one in four is still running.
    for (let i = 0; i < 160; i++) {
      const status = STATES[i % 4]!;
      await store.createExecution(
        makeExecution({
          id: `ex_${String(i).padStart(3, '0')}`,
          workflowId: 'w',
          status,
          createdAt: 1_000 + i,
          startedAt: 1_000 + i,
          completedAt: status === 'running' ? null : 1_000 + 2 * i,
        }),
      );
    }
    const asked: number[] = [];
    const counted = {
      listExecutions: (filter: ExecutionFilter) => {
        asked.push(filter.limit);
        return store.listExecutions(filter);
      },
    };
    const view = await storedPerformance({ store: counted, definition: async () => null }, 'w', 101, 1_000);
    // The 120 finished ones are i = 0..159 but i % 4 = 3; the newest 101 of them.
    const finished = Array.from({ length: 160 }, (_, i) => i).filter((i) => i % 4 !== 3);
    const newest = finished.slice(-101);
    expect(view.runs).toBe(101);
    expect(view.stats.count).toBe(101);
    expect(view.stats.min).toBe(newest[0]);
    expect(view.stats.max).toBe(159 - 1);
    expect(Math.max(...asked)).toBeLessThanOrEqual(50);

    // Fewer stored than asked for: all of them.
    const all = await storedPerformance({ store, definition: async () => null }, 'w', 1_000, 1_000);
    expect(all.runs).toBe(120);
    expect(all.stats.min).toBe(0);
  });

  it('leaves out an execution that ended while still queued, as the engine does', async () => {
    const store = new MemoryStore();
    await store.init();
    // Ran 600 ms after 10 ms queued.
    await store.createExecution(
      makeExecution({
        id: 'ran',
        workflowId: 'w',
        status: 'completed',
        createdAt: 1_000,
        startedAt: 1_010,
        completedAt: 1_610,
      }),
    );
    // Cancelled after 500 ms in the queue: it never started, and its 500 ms are a wait.
    await store.createExecution(
      makeExecution({
        id: 'queued',
        workflowId: 'w',
        status: 'cancelled',
        createdAt: 1_100,
        startedAt: null,
        completedAt: 1_600,
      }),
    );
    const view = await storedPerformance({ store, definition: async () => null }, 'w', 100, 1_000);
    expect(view.runs).toBe(2);
    expect(view.stats).toMatchObject({ count: 1, avg: 600, min: 600, max: 600 });
  });

  it('says how many of the executions read are of the version the figures are of', async () => {
    const store = new MemoryStore();
    await store.init();
    const versions = [1, 1, 2];
    for (const [i, version] of versions.entries()) {
      await store.createExecution(
        makeExecution({
          id: `ex_${i}`,
          workflowId: 'w',
          workflowVersion: version,
          status: 'completed',
          createdAt: 1_000 + i,
          startedAt: 1_000 + i,
          completedAt: 1_100 + i,
        }),
      );
    }
    const view = await storedPerformance({ store, definition: async () => null }, 'w', 100, 1_000);
    expect(view).toMatchObject({ runs: 3, version: 2, stats: { count: 1 } });
    expect(view.recorded).toBe("the newest 3 finished executions in the store, every node's; the 1 of v2");
    const older = await storedPerformance({ store, definition: async () => null }, 'w', 1, 1_000);
    expect(older.recorded).toBe("the newest 1 finished execution in the store, every node's, of v2");
  });
});
