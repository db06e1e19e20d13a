/**
 * Retention on PostgreSQL with several nodes purging at once: each finished execution is deleted,
 * and counted in `purged_counts`, exactly once (rows another purge holds are skipped), so the
 * aggregates stay what they were; unfinished executions stay. Under a server default of
 * SERIALIZABLE too: the purge runs READ COMMITTED, so concurrent purges do not fail each other.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_SERIALIZABLE_URL } from './pg-fixture.js';
import { makeExecution } from './records.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('PostgreSQL retention with concurrent purges', () => {
  it('3 stores purging 300 finished executions at once delete and count each once', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const url = PG_SERIALIZABLE_URL;
    const stores = [1, 2, 3].map(() => new PostgresStore(url, { schema, poolSize: 3 }));
    for (const store of stores) cleanups.push(() => store.close());
    await Promise.all(stores.map((store) => store.init()));
    const [first] = stores as [PostgresStore];
    const statuses = ['completed', 'failed', 'cancelled'] as const;
    for (let i = 0; i < 300; i++) {
      await first.createExecution(
        makeExecution({
          id: `f${i}`,
          workflowId: `w${i % 4}`,
          status: statuses[i % 3]!,
          owner: i % 2 === 0 ? 'n1' : null,
          createdAt: 100 + i,
          completedAt: 1_000 + i,
          stepsRun: 1 + (i % 5),
          compensated: i % 7 === 0,
        }),
      );
    }
    await first.createExecution(
      makeExecution({ id: 'running', status: 'running', createdAt: 1, owner: 'n2' }),
    );
    const before = {
      all: await first.aggregate(),
      byWorkflow: await first.aggregateByWorkflow(),
      notN1: await first.aggregateByWorkflow({ exceptOwner: 'n1' }),
    };

    const purgeAll = async (store: PostgresStore) => {
      let total = 0;
      for (;;) {
        const n = await store.purgeFinished({ before: 10_000, limit: 40 });
        total += n;
        if (n === 0) return total;
      }
    };
    const deleted = await Promise.all(stores.map(purgeAll));
    expect(deleted.reduce((a, b) => a + b, 0)).toBe(300);
    expect(await first.countExecutions({})).toBe(1);
    expect(await first.aggregate()).toEqual(before.all);
    expect(await first.aggregateByWorkflow()).toEqual(before.byWorkflow);
    expect(await first.aggregateByWorkflow({ exceptOwner: 'n1' })).toEqual(before.notN1);
  });
});
