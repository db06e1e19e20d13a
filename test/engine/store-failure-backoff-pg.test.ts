/**
 * The backoff of `store-failure-backoff.test.ts` on PostgreSQL: a write of one execution keeps
 * failing while the store takes the others (here a CHECK constraint the test adds to its own
 * schema refuses the step records of the named steps above 10 000 characters, as a quota would;
 * the claims, the attempt's start, the small records go through). The node gives the execution up
 * and takes it up again after a growing wait, not every housekeeping round, and carries on once the
 * store takes the write.
 */
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from '../store/pg-fixture.js';
import { backoffRig, gaps, roundsUntil, statusOf } from './store-failure-rig.js';

/** A step output the constraint refuses. */
const BIG = 'x'.repeat(20_000);

/**
 * An orchestrator on a fresh PostgreSQL schema (see {@link backoffRig}); `refuse(...steps)` makes
 * the store refuse the big records of those steps (none: takes them all).
 */
async function refusingStore() {
  await assertServerReachable();
  const schema = freshSchema();
  onTestFinished(() => dropSchema(schema));
  const rig = await backoffRig(new PostgresStore(PG_URL, { schema }), BIG);
  const refuse = (...steps: string[]) =>
    withClient(async (client) => {
      await client.query(`ALTER TABLE "${schema}".steps DROP CONSTRAINT IF EXISTS small_records`);
      if (steps.length === 0) return;
      const names = steps.map((s) => `'${s}'`).join(', ');
      await client.query(
        `ALTER TABLE "${schema}".steps ADD CONSTRAINT small_records
           CHECK (name NOT IN (${names}) OR length(record::text) < 10000) NOT VALID`,
      );
    });
  return { ...rig, refuse };
}

describe('an execution whose write keeps failing on PostgreSQL', () => {
  it('is taken up again after a growing backoff, and completes once the store takes the write', async () => {
    const { orch, clock, logger, runs, refuse, givenUp } = await refusingStore();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }]);
    await refuse('first');
    const id = await orch.workflowEngine.executeWorkflow('w');
    await vi.waitFor(() => expect(givenUp()).toBe(1));
    const failure = logger.lines.find((l) => l.msg === 'store write failed; execution will be resumed');
    expect((failure?.obj as { err?: Error } | undefined)?.err?.message).toContain('small_records');

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
    await refuse();
    await roundsUntil(clock, () => runs.first!.length > between.length + 1, 400);
    await vi.waitFor(async () => expect(await statusOf(orch, id)).toBe('completed'));
    expect((await orch.workflowEngine.getExecutionStatus(id))?.steps[0]?.output).toBe(BIG);
  }, 60_000);

  it('backs off from the start again once a step of it was stored', async () => {
    const { orch, clock, runs, refuse, givenUp } = await refusingStore();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'second' }]);
    await refuse('first', 'second');
    const id = await orch.workflowEngine.executeWorkflow('w');
    // `first` is given up four times in a row: its next wait is 8 s, the one after 16 s.
    await roundsUntil(clock, () => givenUp() >= 4);
    const firstGaps = gaps(runs.first!);
    expect(firstGaps).toHaveLength(3);
    for (const [i, gap] of firstGaps.entries()) expect(gap).toBeGreaterThanOrEqual(1_000 * 2 ** i);
    // `first` is stored when it runs next, `second` still cannot be.
    await refuse('second');
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
  }, 60_000);
});
