/**
 * The same idempotency key sent to two nodes at the same moment (a client retrying on another node
 * through a load balancer): both calls get one execution id, and that execution runs once.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, PostgresStore } from '../../src/index.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

it('two nodes given one key at once create one execution, run once', async () => {
  const schema = t.schema();
  const runs = new Map<string, number>();
  const node = async (): Promise<Orchestrator> => {
    const orch = await createOrchestrator({
      store: new PostgresStore(PG_URL, { schema }),
      logger: silentLogger,
      leaseSeconds: 2,
      sweepInterval: 0.2,
      actions: {
        charge: (_input: unknown, ctx: { executionId: string }) => {
          runs.set(ctx.executionId, (runs.get(ctx.executionId) ?? 0) + 1);
          return 'charged';
        },
      },
    });
    t.later(() => orch.close());
    return orch;
  };
  const a = await node();
  const b = await node();
  await a.workflowEngine.defineWorkflow('pay', [{ name: 'charge', action: 'charge' }]);
  const keys = Array.from({ length: 20 }, (_, i) => `order-${i}`);
  const pairs = await Promise.all(
    keys.map((key) =>
      Promise.all([
        a.workflowEngine.executeWorkflow('pay', { key }, { idempotencyKey: key }),
        b.workflowEngine.executeWorkflow('pay', { key }, { idempotencyKey: key }),
      ]),
    ),
  );
  for (const [x, y] of pairs) expect(y).toBe(x);
  for (const [id] of pairs) {
    expect((await a.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
  }
  expect(await a.workflowEngine.listExecutions({ limit: 100 })).toHaveLength(keys.length);
  expect([...runs.values()]).toEqual(keys.map(() => 1));
}, 30_000);
