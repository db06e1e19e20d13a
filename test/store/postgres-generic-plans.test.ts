// Once `executions` is large enough for generic plans (src/store/postgres/plan-mode.ts), the
// store's creates and updates run on them, whatever the batch size: left to PostgreSQL's own
// choice, an update batch of one execution (a node with light traffic) was planned again on every
// run, because its custom plan looks cheaper than the generic one.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { CommitContext, LaneConnection } from '../../src/store/postgres/batch-commit.js';
import { GENERIC_MIN_BYTES, PlanMode } from '../../src/store/postgres/plan-mode.js';
import { storePerTest } from './pg-fixture.js';
import { makeExecution, makeStep } from './records.js';

describe('PostgreSQL store: generic plans', () => {
  it('opens transactions in custom-plan mode while the table is small, then forces generic plans for row writes only', () => {
    const plans = new PlanMode('"s".executions', 10_000);
    expect(plans.begin(true)).toContain('force_custom_plan');
    expect(plans.begin(false)).toContain('force_custom_plan');
    plans.observe({ rows: [{ bytes: GENERIC_MIN_BYTES - 1 }] } as pg.QueryResult<{ bytes: number }>);
    expect(plans.usesGenericPlans).toBe(false);
    plans.observe({ rows: [{ bytes: String(GENERIC_MIN_BYTES) }] } as pg.QueryResult<{ bytes: string }>);
    expect(plans.usesGenericPlans).toBe(true);
    const begin =
      'BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL idle_in_transaction_session_timeout = 10000';
    expect(plans.begin(true)).toBe(`${begin}; SET LOCAL plan_cache_mode = force_generic_plan`);
    // Claims, renewals, cancels: PostgreSQL chooses (their row counts depend on their arguments).
    expect(plans.begin(false)).toBe(begin);
  });

  const pg = storePerTest({ writeLanes: 1 });

  it('runs one-execution updates on the generic plan once the table is large, never planning them again', async () => {
    const store = pg.store as unknown as { context: CommitContext; laneConnections: LaneConnection[] };
    const plans = store.context.plans;
    // About 1,000 executions with a bulky state make the table pass GENERIC_MIN_BYTES; the store
    // measures it every PROBE_EVERY flushes.
    const pad = 'p'.repeat(800);
    for (let batch = 0; batch < 40 && !plans.usesGenericPlans; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          pg.store.createExecution(makeExecution({ id: `g${batch}-${i}`, workerId: pad })),
        ),
      );
    }
    expect(plans.usesGenericPlans).toBe(true);

    // Light traffic: one execution per flush, one after the other.
    for (let i = 0; i < 12; i++) {
      await pg.store.update({
        id: `g0-${i}`,
        epoch: 0,
        set: { cursor: 1, stepsRun: 1 },
        steps: [makeStep(`g0-${i}`, 'a')],
      });
    }
    const lane = store.laneConnections[0]!.client!;
    const counts = await lane.query<{ generic_plans: string; custom_plans: string }>(
      "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'orchestrator_update'",
    );
    expect(counts.rows).toHaveLength(1);
    expect(Number(counts.rows[0]!.custom_plans)).toBe(0);
    expect(Number(counts.rows[0]!.generic_plans)).toBe(12);
    // And they wrote what they should.
    const { execution, steps } = (await pg.store.getExecution('g0-11'))!;
    expect(execution).toMatchObject({ cursor: 1, stepsRun: 1 });
    expect(steps.map((s) => s.name)).toEqual(['a']);
  });
});
