/**
 * The `failure_rate` alert in a cluster is about the executions each node ran (docs/scaling.md,
 * "The other alerts are about this node's executions"): a node whose executions fail raises it;
 * a node whose executions succeed does not, though the cluster's executions together fail more
 * often than `alerts.failureRate`. Two nodes on one fresh schema, one ingress: node-a's handler
 * fails, node-b's succeeds, so where an execution ran decides how it ends.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();
const N = 40;
const IN_FLIGHT = 8;
const MIN_SAMPLES = 3;

describe('failure_rate in a cluster', () => {
  it("is judged per node, over the executions that node ran, not the cluster's", async () => {
    const schema = t.schema();
    const open = async (nodeId: string, charge: () => Promise<string>) => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        cluster: true,
        nodeId,
        sweepInterval: 10,
        leaseSeconds: 30,
        logger: silentLogger,
        // The cluster's rate (a fifth to a quarter failed in runs) is over 0.1; node-b's own (none) is not.
        alerts: { failureRate: 0.1, minSamples: MIN_SAMPLES, cooldown: 60 },
        actions: { charge },
      });
      t.later(() => orch.close());
      const rates: Alert[] = [];
      orch.on('alert', (a) => {
        if (a.type === 'failure_rate') rates.push(a);
      });
      return { orch, rates };
    };
    const b = await open('node-b', async () => 'charged');
    // The ingress starts last: its start reads node-b's heartbeat, so it places on both (the
    // executions in flight, each a few store writes long, keep both loaded; the checks below fail
    // if one node ran too few to be judged).
    const a = await open('node-a', async () => {
      throw new Error('card declined');
    });
    await a.orch.workflowEngine.defineWorkflow('pay', [{ name: 'charge', retry: { maxAttempts: 1 } }]);

    const ran: Record<string, { completed: number; failed: number }> = {};
    let next = 0;
    const lane = async (ingress: Orchestrator) => {
      while (next < N) {
        next++;
        const id = await ingress.workflowEngine.executeWorkflow('pay', {});
        const { status } = await ingress.workflowEngine.waitForCompletion(id, { timeout: 20 });
        const owner = (await ingress.store.getExecution(id))?.execution.owner ?? 'none';
        const counts = ran[owner] ?? { completed: 0, failed: 0 };
        ran[owner] = counts;
        if (status === 'completed' || status === 'failed') counts[status]++;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, () => lane(a.orch)));

    // Where an execution ran decided its end, and both nodes ran enough to be judged.
    expect(ran['node-a']?.completed).toBe(0);
    expect(ran['node-b']?.failed).toBe(0);
    expect(ran['node-a']?.failed).toBeGreaterThanOrEqual(MIN_SAMPLES);
    expect(ran['node-b']?.completed).toBeGreaterThanOrEqual(MIN_SAMPLES);
    expect((ran['node-a']?.failed ?? 0) + (ran['node-b']?.completed ?? 0)).toBe(N);

    expect(a.rates.map((r) => [r.workflowId, r.value])).toEqual([['pay', 1]]);
    expect(b.rates).toEqual([]);
  }, 60_000);
});
