/**
 * A node in cluster mode claims its share of the orphans per housekeeping round: no more than its
 * free slots when nobody holds them (a backlog left by a restart). It claimed the next share only
 * at the next round, idle meanwhile: a lone node worked through 2,000 executions left after a
 * restart at ≈80 a second. Now a round that took all it asked for runs again once half the
 * node's slots are free.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { gate, silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const resources = perTest();

it('a node works through a backlog larger than its slots without waiting for the next round', async () => {
  const schema = resources.schema();
  const hold = gate();
  const first = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    maxConcurrentWorkflows: 2,
    actions: { work: () => hold.promise },
  });
  await first.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
  const ids: string[] = [];
  for (let i = 0; i < 120; i++) ids.push(await first.workflowEngine.executeWorkflow('w'));
  // Closed with 118 still queued: their leases released, nobody's.
  await first.close();
  hold.open();

  const ran: string[] = [];
  const node = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    maxConcurrentWorkflows: 40,
    // The longest a 30 s lease allows: without a round run early, 3 shares took 20 s.
    sweepInterval: 10,
    actions: {
      work: (_input, ctx) => {
        ran.push(ctx.executionId);
        return 'done';
      },
    },
  });
  resources.later(() => node.close());
  // Counted once each all along: a round woken while a claim's executions were still being
  // adopted took those for placed here and counted them twice.
  const totals = new Set<number>();
  await until(
    async () => {
      totals.add(node.getMetrics().executions.total);
      const statuses = await Promise.all(ids.map((id) => node.workflowEngine.getExecutionStatus(id)));
      return statuses.every((s) => s?.status === 'completed');
    },
    'every execution of the backlog to complete',
    15_000,
  );
  expect(new Set(ran).size).toBe(ids.length);
  expect([...totals]).toEqual([ids.length]);
});
