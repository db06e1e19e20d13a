/**
 * A node that joins beside one with a queued backlog takes its share of it: the busy node hands
 * the newest of its never-started executions over (`backlog-shedding.ts`). Before, placement
 * spread only new submissions and claims took only orphans, so the joining node sat idle while
 * the busy one ran its whole backlog two at a time.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, type OrchestratorOptions } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate, silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

const TOTAL = 40;

/**
 * A node of 2 slots holding `TOTAL` executions of 'w' (2 running, held until `hold` opens; the
 * rest queued), and what each execution's runs were, by node label.
 */
async function busyNode(schema: string, slots = 2) {
  const hold = gate();
  const runs = new Map<string, string[]>();
  const record = (node: string, id: string) => runs.set(id, [...(runs.get(id) ?? []), node]);
  const busy = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    maxConcurrentWorkflows: slots,
    sweepInterval: 0.2,
    actions: {
      work: async (_input, ctx) => {
        record('busy', ctx.executionId);
        await hold.promise;
        return 'done';
      },
    },
  });
  t.later(() => busy.close());
  await busy.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
  const ids: string[] = [];
  for (let i = 0; i < TOTAL; i++) ids.push(await busy.workflowEngine.executeWorkflow('w'));
  expect(busy.getLocalLoad()).toMatchObject({ running: slots, queued: TOTAL - slots });
  return { busy, hold, ids, runs, record };
}

async function join(schema: string, actions: OrchestratorOptions['actions'], slots = 2) {
  const node = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    maxConcurrentWorkflows: slots,
    sweepInterval: 0.2,
    actions,
  });
  t.later(() => node.close());
  return node;
}

it("a joining node runs the queued backlog of a busy one while the busy one's slots stay taken", async () => {
  const schema = t.schema();
  const { busy, hold, ids, runs, record } = await busyNode(schema);
  await join(schema, {
    work: (_input, ctx) => {
      record('joined', ctx.executionId);
      return 'done';
    },
  });
  // Every queued execution runs on the joining node; the busy node's two stay held meanwhile.
  await until(
    async () => [...runs.values()].filter((nodes) => nodes[0] === 'joined').length === TOTAL - 2,
    'the joining node to run the 38 queued executions',
    15_000,
  );
  expect(busy.getLocalLoad()).toMatchObject({ running: 2, queued: 0 });
  // The joined node started them in the order they were accepted: the oldest were handed over
  // first, each later batch newer than those before.
  const order = [...runs.entries()].filter(([, nodes]) => nodes[0] === 'joined').map(([id]) => id);
  expect(order).toEqual(ids.filter((id) => order.includes(id)));
  hold.open();
  const statuses = await Promise.all(
    ids.map((id) => busy.workflowEngine.waitForCompletion(id, { timeout: 15 })),
  );
  expect(statuses.every((s) => s.status === 'completed')).toBe(true);
  // Each ran once, on one node.
  expect([...runs.values()].every((nodes) => nodes.length === 1)).toBe(true);
  expect(runs.size).toBe(TOTAL);
  // Counted once each on the busy node's metrics, wherever they ran.
  await until(async () => busy.getMetrics().executions.total === TOTAL, 'the metrics to count 40', 5_000);
});

it('nothing is handed over to a node that lacks the handler the executions need', async () => {
  const schema = t.schema();
  const { busy, hold, ids, runs } = await busyNode(schema);
  const other = await join(schema, { other: () => 'done' });
  await until(async () => busy.loadBalancer.getWorkers().length === 2, 'two live nodes', 10_000);
  // Several rounds of both nodes (a round every 0.2 s).
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(busy.getLocalLoad()).toMatchObject({ running: 2, queued: TOTAL - 2 });
  expect(other.getLocalLoad()).toMatchObject({ running: 0, queued: 0 });
  hold.open();
  await Promise.all(ids.map((id) => busy.workflowEngine.waitForCompletion(id, { timeout: 15 })));
  expect([...runs.values()].every((nodes) => nodes.length === 1 && nodes[0] === 'busy')).toBe(true);
});

it('hands a node of 30 slots beside one of 1 its share once, with no trading back and forth', async () => {
  const schema = t.schema();
  const { busy, hold, ids, runs, record } = await busyNode(schema, 1);
  const joined = await join(
    schema,
    {
      work: async (_input, ctx) => {
        record('joined', ctx.executionId);
        await hold.promise;
        return 'done';
      },
    },
    30,
  );
  // 40 over 31 slots: the joined node's share is 38, the busy node keeps its running one and one
  // queued (its share is 1.3).
  await until(
    async () => joined.getLocalLoad().running + joined.getLocalLoad().queued === 38,
    'the joined node to hold its share, 38',
    15_000,
  );
  // Rounds of both nodes (every 0.2 s) while every slot is taken: nothing moves any more. A
  // release let the nodes' claims, which split by count, take them back and forth.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(busy.getLocalLoad()).toEqual({ running: 1, queued: 1 });
  expect(joined.getLocalLoad()).toEqual({ running: 30, queued: 8 });
  hold.open();
  await Promise.all(ids.map((id) => busy.workflowEngine.waitForCompletion(id, { timeout: 15 })));
  expect([...runs.values()].every((nodes) => nodes.length === 1)).toBe(true);
  // Created (epoch 1) and handed over once at most (2).
  for (const id of ids) {
    expect((await busy.store.getExecution(id))!.execution.epoch).toBeLessThanOrEqual(2);
  }
});
