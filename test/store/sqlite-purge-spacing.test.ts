/**
 * Purge batches on SQLite leave a gap after each other, as long as the last batch took (5 to
 * 200 ms): back to back, they kept the file's write lock from other processes, whose writes
 * failed past the busy timeout during a large purge.
 */
import { expect, it } from 'vitest';
import { purgeFinished } from '../../src/engine/retention.js';
import { PURGE_GAP_MAX_MS, PURGE_GAP_MIN_MS, PurgeSpacing } from '../../src/store/sqlite/purge-spacing.js';
import type { Store } from '../../src/store/store.js';

const busy = (ms: number) => async () => {
  const end = performance.now() + ms;
  while (performance.now() < end) await new Promise((resolve) => setImmediate(resolve));
  return ms;
};

it('waits after a batch as long as it took, within bounds', async () => {
  const spacing = new PurgeSpacing();
  expect(spacing.gapMs).toBe(PURGE_GAP_MIN_MS);
  await spacing.timed(busy(40));
  expect(spacing.gapMs).toBeGreaterThanOrEqual(40);
  const afterFirst = performance.now();
  let started = 0;
  await spacing.gap();
  await spacing.timed(async () => {
    started = performance.now();
  });
  expect(started - afterFirst).toBeGreaterThanOrEqual(35);
  // A long batch leaves at most the longest gap.
  await spacing.timed(busy(PURGE_GAP_MAX_MS + 50));
  expect(spacing.gapMs).toBe(PURGE_GAP_MAX_MS);
  // A batch that fails counts too.
  await expect(spacing.timed(() => Promise.reject(new Error('disk')))).rejects.toThrow('disk');
  expect(spacing.gapMs).toBe(PURGE_GAP_MIN_MS);
});

it('purgeExecutions on a SQLite store leaves a gap after each batch as long as it took', async () => {
  const calls: { start: number; end: number }[] = [];
  const store = {
    kind: 'sqlite',
    purgeFinished: async (request: { limit: number }) => {
      const start = performance.now();
      await busy(30)();
      calls.push({ start, end: performance.now() });
      return calls.length < 3 ? request.limit : 0;
    },
  } as unknown as Store;
  expect(await purgeFinished(store, Date.now(), 10_000)).toBe(1000);
  expect(calls).toHaveLength(3);
  for (let i = 1; i < calls.length; i++) {
    const between = calls[i]!.start - calls[i - 1]!.end;
    expect(between).toBeGreaterThanOrEqual(25);
  }
});

it('starts no other batch when stopped during the gap after one', async () => {
  let calls = 0;
  let stopped = false;
  const store = {
    kind: 'sqlite',
    purgeFinished: async (request: { limit: number }) => {
      calls++;
      await busy(30)();
      // Stopped as the batch ends: the gap after it comes before the check.
      setTimeout(() => {
        stopped = true;
      }, 5);
      return request.limit;
    },
  } as unknown as Store;
  await expect(purgeFinished(store, Date.now(), 10_000, () => stopped)).rejects.toThrow(
    'stopped after deleting 500 executions',
  );
  expect(calls).toBe(1);
});
