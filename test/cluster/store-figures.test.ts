/**
 * The store's performance figures (`GET /v1/workflows/:id/performance?source=store`) are the
 * cluster's: two nodes on one PostgreSQL schema each run part of the executions, and either node's
 * store view counts them all — every run, every failure — where its own view counts only its runs.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { figuresOf } from '../../src/server/workflow-figures.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();
const N = 30;
const IN_FLIGHT = 6;

describe("the store's performance figures in a cluster", () => {
  it("count every node's runs, where each node's own figures count its own", async () => {
    const schema = t.schema();
    const open = async (nodeId: string, charge: () => Promise<string>) => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        cluster: true,
        nodeId,
        sweepInterval: 10,
        leaseSeconds: 30,
        logger: silentLogger,
        actions: { charge },
      });
      t.later(() => orch.close());
      return orch;
    };
    const b = await open('node-b', async () => 'charged');
    const a = await open('node-a', async () => {
      throw new Error('card declined');
    });
    await a.workflowEngine.defineWorkflow('pay', [{ name: 'charge', retry: { maxAttempts: 1 } }]);

    const ran: Record<string, number> = {};
    let failed = 0;
    let next = 0;
    const lane = async (ingress: Orchestrator) => {
      while (next < N) {
        next++;
        const id = await ingress.workflowEngine.executeWorkflow('pay', {});
        const { status } = await ingress.workflowEngine.waitForCompletion(id, { timeout: 20 });
        if (status === 'failed') failed++;
        const owner = (await ingress.store.getExecution(id))?.execution.owner ?? 'none';
        ran[owner] = (ran[owner] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, () => lane(a)));
    // Both nodes ran some (where one ran none, the check below could not tell the views apart).
    expect(ran['node-a']).toBeGreaterThan(0);
    expect(ran['node-b']).toBeGreaterThan(0);

    for (const node of [a, b]) {
      const own = await figuresOf(node, 'pay', 'node');
      expect(own.stats.count).toBe(ran[node.nodeId]);
      const all = await figuresOf(node, 'pay', 'store');
      expect(all.runs).toBe(N);
      expect(all.stats.count).toBe(N);
      expect(all.steps).toMatchObject([{ name: 'charge', count: N, failures: failed, retries: failed }]);
    }
    // node-a's handler failed every run it made, node-b's none.
    expect(failed).toBe(ran['node-a']);
  });
});
