/**
 * Retention while executions run: a loop purges every finished execution, as soon as it is
 * finished, while hundreds of executions complete, fail and compensate, are cancelled, or reuse
 * idempotency keys. No live execution is deleted (each ends exactly once, with no store write
 * failing), each wait ends with its terminal status or, once its execution is gone, a typed
 * `ExecutionNotFoundError`, and the metrics and the store's aggregates count each execution once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, ExecutionNotFoundError, type Orchestrator } from '../../src/index.js';
import { memoryLogger, nextTurn, tempSqliteUrl } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

const schemas: string[] = [];
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

const URLS = {
  sqlite: async () => tempSqliteUrl(),
  postgres: async () => {
    await assertServerReachable();
    const schema = freshSchema();
    schemas.push(schema);
    return `${PG_URL}?schema=${schema}`;
  },
};

const N = 300;

async function define(orch: Orchestrator): Promise<void> {
  const engine = orch.workflowEngine;
  await engine.defineWorkflow('ok', [
    { name: 's1', action: 'quick' },
    { name: 's2', action: 'quick' },
    { name: 's3', action: 'quick' },
  ]);
  await engine.defineWorkflow('saga', [
    { name: 's1', action: 'quick', compensation: 'undo' },
    { name: 's2', action: 'quick', compensation: 'undo' },
    { name: 's3', action: 'boom', retry: { maxAttempts: 1 } },
  ]);
}

describe.each(Object.entries(URLS))('purging while executions run (%s store)', (_kind, newUrl) => {
  it('deletes only finished executions; each ends and is counted once', async () => {
    const logger = memoryLogger();
    const orch = await createOrchestrator({
      store: await newUrl(),
      logger,
      maxConcurrentWorkflows: 40,
      actions: {
        quick: async () => {
          await nextTurn();
          return 1;
        },
        boom: async () => {
          await nextTurn();
          throw new Error('boom');
        },
      },
      compensations: { undo: () => nextTurn() },
    });
    try {
      const engine = orch.workflowEngine;
      await define(orch);
      const ended = new Map<string, number>();
      orch.on('execution.finished', ({ executionId }) => {
        ended.set(executionId, (ended.get(executionId) ?? 0) + 1);
      });
      let purging = true;
      let purged = 0;
      const purger = (async () => {
        while (purging) {
          purged += await engine.purgeExecutions({ before: new Date(Date.now() + 3_600_000) });
          await nextTurn();
        }
      })();
      const ids: string[] = [];
      for (let i = 0; i < N; i++) {
        const workflow = i % 3 === 0 ? 'saga' : 'ok';
        // Keys reused while (or after) their first execution is purged.
        const options = i % 5 === 0 ? { idempotencyKey: `k${i % 30}` } : {};
        ids.push(await engine.executeWorkflow(workflow, { i }, options));
        if (i % 7 === 0) void engine.cancelWorkflow(ids[i]!);
      }
      const outcomes = await Promise.all(
        ids.map((id) =>
          engine.waitForCompletion(id).then(
            (status) => status.status,
            (error: unknown) => (error instanceof ExecutionNotFoundError ? 'gone' : error),
          ),
        ),
      );
      purging = false;
      await purger;
      purged += await engine.purgeExecutions({ before: new Date(Date.now() + 3_600_000) });

      const distinct = new Set(ids);
      const ends = ['completed', 'failed', 'cancelled', 'gone'];
      expect(outcomes.filter((o) => !ends.includes(o as string))).toEqual([]);
      expect(purged).toBe(distinct.size);
      expect([...ended.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(ended.keys())).toEqual(distinct);
      expect(await engine.countExecutions({})).toBe(0);
      const m = orch.getMetrics().executions;
      expect(m).toMatchObject({ total: distinct.size, running: 0, pending: 0, compensating: 0 });
      expect(m.completed + m.failed + m.cancelled).toBe(distinct.size);
      expect(logger.lines.filter((l) => /write failed|sweep failed/.test(l.msg ?? ''))).toEqual([]);
    } finally {
      await orch.close();
    }
  });
});
