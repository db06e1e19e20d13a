/**
 * `close()` during a `purgeExecutions` that has several batches to go: the batch under way ends
 * whole, no other starts, and the call rejects with a `ClosedError` saying how many it deleted
 * (README: from the moment `close()` is called, `purgeExecutions` rejects with `ClosedError`);
 * `close()` resolves, and the store holds the rest, counted as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError, createOrchestrator, MemoryStore } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { makeExecution } from '../store/records.js';

const schemas: string[] = [];
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

/** A fresh store, and how to open it again after the orchestrator closed it. */
const STORES: Record<string, () => Promise<() => Store>> = {
  memory: async () => {
    const store = new MemoryStore();
    return () => store;
  },
  sqlite: async () => {
    const path = `${tempDir()}/store.sqlite`;
    return () => new SqliteStore(path);
  },
  postgres: async () => {
    await assertServerReachable();
    const schema = freshSchema();
    schemas.push(schema);
    return () => new PostgresStore(PG_URL, { schema, poolSize: 2 });
  },
};

const FINISHED = 1_200;

describe.each(Object.keys(STORES))('close() during purgeExecutions (%s store)', (kind) => {
  it('ends the batch under way, starts no other, and rejects with ClosedError', async () => {
    const open = await STORES[kind]!();
    const seed = open();
    await seed.init();
    for (let i = 0; i < FINISHED; i++) {
      await seed.createExecution(
        makeExecution({ id: `f${i}`, status: 'completed', createdAt: 1, completedAt: 2 + i, stepsRun: 1 }),
      );
    }
    const totals = await seed.aggregate();
    if (kind !== 'memory') await seed.close();

    const orch = await createOrchestrator({ store: open() });
    const purging = orch.workflowEngine.purgeExecutions({ before: new Date(), limit: 1_000_000 });
    const outcome = purging.catch((error: unknown) => error);
    await orch.close();
    const error = await outcome;
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as Error).message).toMatch(/stopped after deleting 500 executions/);

    const store = open();
    await store.init();
    try {
      expect(await store.countExecutions({})).toBe(FINISHED - 500);
      expect(await store.aggregate()).toEqual(totals);
    } finally {
      if (kind !== 'memory') await store.close();
    }
  });
});
