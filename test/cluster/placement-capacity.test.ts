/**
 * Placement weighs each node's slots (`maxConcurrentWorkflows`, from its heartbeat): a node whose
 * slots are all taken places on the node with the most room. By count alone, a node of 1 slot got
 * as many executions as nodes of 10 and ran them one at a time, while 20 slots sat idle elsewhere.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, type OrchestratorOptions } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

/**
 * Nodes of 10, 10 and 1 slots (the small one last, so its start reads the others' heartbeats, their
 * slots included) on a fresh schema, and a burst of 30 held executions submitted through the small
 * one, each held by some node: the nodes, the held counts per node, and a release that waits for
 * all 30 to complete.
 */
async function burstOnMixedSlots(
  options: Partial<OrchestratorOptions>,
  onOpen?: (orch: Orchestrator) => void,
) {
  const schema = t.schema();
  const hold = gate();
  const open = async (slots: number) => {
    const orch = await createOrchestrator({
      store: new PostgresStore(PG_URL, { schema }),
      maxConcurrentWorkflows: slots,
      actions: { work: () => hold.promise },
      ...options,
    });
    onOpen?.(orch);
    t.later(() => orch.close());
    return orch;
  };
  const big = [await open(10), await open(10)];
  const small = await open(1);
  await until(async () => small.loadBalancer.getWorkers().length === 3, 'three live nodes', 10_000);
  await small.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) ids.push(await small.workflowEngine.executeWorkflow('w'));
  const nodes: Orchestrator[] = [small, ...big];
  const held = () => nodes.map((n) => n.getLocalLoad().running + n.getLocalLoad().queued);
  await until(async () => held().reduce((a, b) => a + b, 0) === 30, 'all 30 held by a node', 10_000);
  const release = async () => {
    hold.open();
    await Promise.all(ids.map((id) => small.workflowEngine.waitForCompletion(id, { timeout: 30 })));
  };
  return { big, held, release };
}

it('a node with 1 slot places on nodes with 10 once its slot is taken, by room left', async () => {
  // Housekeeping (and its reads of the cluster) at most once during the test.
  const { big, held, release } = await burstOnMixedSlots({ sweepInterval: 10 });
  const [onSmall, ...onBig] = held();
  // 30 over 21 slots, by room: the small node at most a couple, the big ones the rest evenly.
  expect(onSmall, JSON.stringify(held())).toBeLessThanOrEqual(2);
  for (const n of onBig) expect(n, JSON.stringify(held())).toBeGreaterThanOrEqual(13);
  // The big nodes run ten each at once; nothing waits there while a slot is free.
  for (const n of big) expect(n.getLocalLoad().running).toBe(10);
  await release();
});

it('the load_imbalance alert weighs slots: a distribution by room left does not raise it', async () => {
  const alerts: string[] = [];
  const { held, release } = await burstOnMixedSlots(
    { sweepInterval: 0.2, alerts: { imbalanceMinActive: 2, cooldown: 0 } },
    (orch) =>
      orch.on('alert', (alert) => {
        if (alert.type === 'load_imbalance') alerts.push(alert.message);
      }),
  );
  // A check during the burst may read another node's load from before its last placements (the
  // view is a round old); once every node has read the settled loads, none may raise it.
  await new Promise((resolve) => setTimeout(resolve, 600));
  alerts.length = 0;
  // Several rounds of alert checks on every node, each seeing about 1, 14 and 15.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(alerts, JSON.stringify(held())).toEqual([]);
  await release();
});
