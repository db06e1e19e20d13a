/**
 * Nodes with different `leaseSeconds` on one PostgreSQL schema (a rolling deploy that shortens
 * the lease): an execution a short-lease node places on a long-lease node must hold a lease that
 * node keeps renewing, or the placer would claim it back as expired while it runs there — a
 * fenced, wasted run and its step run twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('nodes with different lease lengths', () => {
  it("an execution placed on a long-lease node keeps running there, not claimed back at the placer's lease", async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const runs: string[] = [];
    const node = async (leaseSeconds: number): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        cluster: true,
        sweepInterval: 0.3,
        leaseSeconds,
        actions: {
          slow: async (_input, ctx) => {
            runs.push(`${ctx.executionId}@${orch.nodeId}`);
            await new Promise((resolve) => setTimeout(resolve, 2_500));
            return 'done';
          },
        },
      });
      cleanups.push(() => orch.close());
      return orch;
    };
    // b renews its leases every 2 s; a's lease is 0.9 s.
    const b = await node(6);
    const a = await node(0.9);
    await a.workflowEngine.defineWorkflow('slow', [{ name: 'slow' }]);
    const deadline = Date.now() + 5_000;
    while (a.loadBalancer.getWorkers().length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(a.loadBalancer.getWorkers()).toHaveLength(2);
    // The first runs on a (ties go to the submitting node), the second is placed on b.
    await a.workflowEngine.executeWorkflow('slow', {});
    const placed = await a.workflowEngine.executeWorkflow('slow', {});
    const status = await a.workflowEngine.waitForCompletion(placed, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(status.workerId).toBe(b.nodeId);
    expect(runs.filter((r) => r.startsWith(`${placed}@`))).toEqual([`${placed}@${b.nodeId}`]);
  });
});
