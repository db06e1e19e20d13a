/**
 * A write of one execution that keeps failing while the store takes smaller ones (a SQLite file
 * capped with `max_page_count`, as a disk nearly full: a step's big output cannot be stored, the
 * claim that takes the execution up again can): the node gives the execution up and takes it up
 * again, and each time the step's handler runs again. It backs off — before, it reran the handler
 * every housekeeping round, forever — and carries on once the store takes the write.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/orchestrator.js';
import { backoffRig, gaps, roundsUntil, statusOf } from './store-failure-rig.js';

/** A step output of ~100 SQLite pages. */
const BIG = 'x'.repeat(400_000);

/**
 * An orchestrator on a SQLite file (see {@link backoffRig}); `cap(pages)` lets the file grow by that
 * many pages more than it has.
 */
async function cappedStore() {
  const store = new SqliteStore(join(tempDir(), 'orchestrator.sqlite'));
  const rig = await backoffRig(store, BIG);
  // The store's own connection: `max_page_count` holds for the connection that sets it.
  const db = (store as unknown as { db: Database.Database }).db;
  const cap = (pages: number) => {
    db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + pages}`);
  };
  return { ...rig, cap };
}

describe('an execution whose write keeps failing', () => {
  it('is taken up again after a growing backoff, and completes once the store takes the write', async () => {
    const { orch, clock, logger, runs, cap, givenUp } = await cappedStore();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }]);
    // Room for the small writes (the create, the claims, an attempt's start), not for the output.
    cap(40);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await vi.waitFor(() => expect(givenUp()).toBe(1));

    // A minute of housekeeping rounds: taken up again at the next round, then after 2, 4, 8, 16 s…
    const start = clock.now();
    await roundsUntil(clock, () => clock.now() - start >= 60_000);
    const between = gaps(runs.first!);
    expect(between.length).toBeGreaterThanOrEqual(3);
    expect(between.length).toBeLessThanOrEqual(6);
    for (const [i, gap] of between.entries()) expect(gap).toBeGreaterThanOrEqual(1_000 * 2 ** i);
    expect(await statusOf(orch, id)).toBe('running');
    expect(
      logger.lines.filter(
        (l) => l.level === 'warn' && l.msg?.startsWith('store writes of this execution failed in a row'),
      ).length,
    ).toBeGreaterThan(0);

    // The store takes the write again: the execution completes, within the longest wait.
    cap(1_000_000);
    await roundsUntil(clock, () => runs.first!.length > between.length + 1, 400);
    await vi.waitFor(async () => expect(await statusOf(orch, id)).toBe('completed'));
  });

  it('backs off from the start again once a step of it was stored', async () => {
    const { orch, clock, runs, cap, givenUp } = await cappedStore();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'second' }]);
    cap(40);
    const id = await orch.workflowEngine.executeWorkflow('w');
    // `first` is given up four times in a row: its next wait is 8 s, the one after 16 s.
    await roundsUntil(clock, () => givenUp() >= 4);
    const firstGaps = gaps(runs.first!);
    expect(firstGaps).toHaveLength(3);
    for (const [i, gap] of firstGaps.entries()) expect(gap).toBeGreaterThanOrEqual(1_000 * 2 ** i);
    // Room for one output, not two: `first` completes when it runs next, `second` cannot.
    cap(160);
    await roundsUntil(clock, () => runs.second!.length >= 3);
    expect(runs.first!).toHaveLength(5);
    // Its first failure after `first` was stored: taken up again at the next round (not after
    // 16 s, as the fifth failure in a row would be), then after 2 s. The next round may be one
    // already under way when the run was given up, at the same time on the fake clock (a slow
    // store holds a round past the test's real-time wait): no lower bound on the first gap.
    const [again, next] = gaps(runs.second!);
    expect(again).toBeLessThan(8_000);
    expect(next).toBeGreaterThanOrEqual(2_000);
    expect(await statusOf(orch, id)).toBe('running');
  });
});
