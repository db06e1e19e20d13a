/**
 * Wake-up rounds in a cluster (two nodes in this process on one PostgreSQL schema): a node woken
 * because executions were created only adopts what was placed on it — no heartbeat, no claim —
 * while a released-leases notice runs its whole housekeeping round at once. The timer's round is
 * made rare here (20 s), so every round the test sees comes from a wake-up.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActionHandler, createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ClaimRequest, ExecutionRecord, NodeRecord } from '../../src/store/store.js';
import { gate } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A PostgreSQL store that counts the housekeeping writes only a whole round makes. */
class CountingStore extends PostgresStore {
  heartbeats = 0;
  claims = 0;
  override heartbeat(node: NodeRecord): Promise<void> {
    this.heartbeats++;
    return super.heartbeat(node);
  }
  override claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]> {
    this.claims++;
    return super.claimExecutions(request);
  }
}

async function node(store: PostgresStore, actions: Record<string, ActionHandler>): Promise<Orchestrator> {
  const orch = await createOrchestrator({
    store,
    cluster: true,
    sweepInterval: 20,
    leaseSeconds: 60,
    actions,
  });
  cleanups.push(() => orch.close());
  return orch;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('cluster wake-up rounds', () => {
  it('a node adopts executions placed on it without a whole round; a release runs one', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const hold = gate();
    const actions = { hold: () => hold.promise.then(() => 'held'), quick: () => 'quick' };
    // b first, so a's first round (at its start) already sees b alive.
    const bStore = new CountingStore(PG_URL, { schema });
    const b = await node(bStore, actions);
    const a = await node(new PostgresStore(PG_URL, { schema }), actions);
    const aEngine = a.workflowEngine;
    await aEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await aEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    expect(Object.keys(a.loadBalancer.getLoadDistribution()).sort()).toEqual([a.nodeId, b.nodeId].sort());

    // a runs one execution itself (ties go to the submitting node) ...
    const held = await aEngine.executeWorkflow('hold', {});
    expect((await aEngine.getExecutionStatus(held))?.workerId).toBe(a.nodeId);
    // ... so the next one goes to b, the least loaded, which learns of it from the NOTIFY.
    const before = { heartbeats: bStore.heartbeats, claims: bStore.claims };
    const placed = await aEngine.executeWorkflow('quick', {});
    await until(
      async () => (await a.workflowEngine.getExecutionStatus(placed))?.status === 'completed',
      'b to run it',
    );
    expect((await aEngine.getExecutionStatus(placed))?.workerId).toBe(b.nodeId);
    expect({ heartbeats: bStore.heartbeats, claims: bStore.claims }).toEqual(before);

    // A release (a node letting its leases go) asks the others for a whole round: b claims.
    const releaser = new PostgresStore(PG_URL, { schema });
    cleanups.push(() => releaser.close());
    await releaser.init();
    await releaser.releaseLeases('nobody');
    await until(
      () => bStore.heartbeats > before.heartbeats && bStore.claims > before.claims,
      'a whole round on b',
    );
    hold.open();
    expect((await aEngine.waitForCompletion(held)).status).toBe('completed');
  });
});
