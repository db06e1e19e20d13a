/**
 * What one node says about executions another node runs (in this process, nodes on one
 * PostgreSQL schema): its metrics count each execution once, whichever node runs it (an
 * execution placed on another node is counted as that node's, and every node's counts converge to
 * the store's), and cancelWorkflow answers whether the
 * execution ended cancelled — also when the owner compensates for longer than a lease, or died
 * with its lease still running (then this node takes it over to cancel it), also when this node's
 * own round takes it over before the cancel's wait does. Work placed on a node
 * that just died is taken over a lease after that node's last heartbeat.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ExecutionRecord } from '../../src/store/store.js';
import { gate, untilAborted } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { heldExecution } from '../store/records.js';
import { perTest } from './per-test.js';

const t = perTest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function node(schema: string, extra: Record<string, unknown> = {}): Promise<Orchestrator> {
  const hold = gate();
  t.later(() => hold.open());
  const orch = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    cluster: true,
    sweepInterval: 0.2,
    leaseSeconds: 2,
    actions: {
      hold: () => hold.promise.then(() => 'held'),
      quick: () => 'quick',
      wait: (_i: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal),
    },
    compensations: { slow_undo: () => sleep(3_000).then(() => 'undone') },
    ...extra,
  });
  t.later(() => orch.close());
  return orch;
}

/** A stored execution of `workflowId` at its first step, owned by `owner` until `leaseUntil`. */
function record(id: string, workflowId: string, owner: string, leaseUntil: number): ExecutionRecord {
  return heldExecution(id, workflowId, owner, leaseUntil, { input: {}, transitions: 1 });
}

describe('across cluster nodes', () => {
  it('an execution placed on another node is counted once, and every node converges to the store', async () => {
    const schema = t.schema();
    const a = await node(schema);
    const b = await node(schema);
    await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await a.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    await sleep(600); // a sees b
    await a.workflowEngine.executeWorkflow('hold', {}); // a: 1, b: 0
    const id = await a.workflowEngine.executeWorkflow('quick', {}); // placed on b
    const done = await a.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(done.status).toBe('completed');
    expect((await a.store.getExecution(id))?.execution.owner).toBe(b.nodeId);
    await sleep(500);
    // Store: 1 running (hold, on a), 1 completed (on b), 0 pending: what both nodes count.
    for (const orch of [a, b]) {
      expect(orch.getMetrics().executions).toMatchObject({ total: 2, pending: 0, running: 1, completed: 1 });
      expect(orch.getMetrics('quick').executions).toMatchObject({ total: 1, completed: 1 });
    }
  }, 20_000);

  it('cancelWorkflow from another node answers true when the owner compensates for longer than a lease', async () => {
    const schema = t.schema();
    const a = await node(schema);
    const b = await node(schema);
    await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await a.workflowEngine.defineWorkflow('comp', [
      { name: 's1', action: 'noop', compensation: 'slow_undo' },
      { name: 's2', action: 'wait' },
    ]);
    await sleep(600);
    await a.workflowEngine.executeWorkflow('hold', {});
    const id = await a.workflowEngine.executeWorkflow('comp', {});
    for (let i = 0; i < 50; i++) {
      const s = await a.workflowEngine.getExecutionStatus(id);
      if (s?.stepsCompleted === 1) break;
      await sleep(50);
    }
    expect((await a.store.getExecution(id))?.execution.owner).toBe(b.nodeId);
    const cancelled = await a.workflowEngine.cancelWorkflow(id);
    const final = await a.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(final.status).toBe('cancelled');
    expect(cancelled).toBe(true);
  }, 30_000);

  it('cancelWorkflow answers true when the owner died with a lease still running (taken over here)', async () => {
    const schema = t.schema();
    const a = await node(schema);
    await a.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'wait' }]);
    const raw = new PostgresStore(PG_URL, { schema });
    t.later(() => raw.close());
    await raw.init();
    // Node B (another host) renewed its lease and died right away.
    await raw.createExecution(record('dead-b-1', 'w', 'otherhost/4242/dead00', Date.now() + 2_000), []);
    const cancelled = await a.workflowEngine.cancelWorkflow('dead-b-1');
    const final = await a.workflowEngine.waitForCompletion('dead-b-1', { timeout: 10 });
    expect(final.status).toBe('cancelled');
    expect(cancelled).toBe(true);
  }, 30_000);

  it("cancelWorkflow answers true when this node's own round takes the owner's execution over first", async () => {
    const schema = t.schema();
    // The write that ends the execution cancelled is slow (a busy database): the cancel's wait
    // sees this node own it, under a new lease, before it ends.
    const pg = new PostgresStore(PG_URL, { schema });
    const update = pg.update.bind(pg);
    pg.update = async (u) => {
      if (u.set?.status === 'cancelled') await sleep(600);
      return update(u);
    };
    const a = await node(schema, { store: pg });
    await a.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'wait' }]);
    const raw = new PostgresStore(PG_URL, { schema });
    t.later(() => raw.close());
    await raw.init();
    // Node B (another host) holds it with a long lease and shows no progress.
    await raw.createExecution(record('held-b', 'w', 'otherhost/4242/b', Date.now() + 60_000), []);
    const cancelling = a.workflowEngine.cancelWorkflow('held-b');
    // More than a lease later (past the wait's first deadline) B lets it go: the release wakes a,
    // whose round claims it at once and cancels it, the request being stored.
    await sleep(2_500);
    await raw.releaseLeases('otherhost/4242/b');
    const cancelled = await cancelling;
    const final = await a.workflowEngine.waitForCompletion('held-b', { timeout: 10 });
    expect(final.status).toBe('cancelled');
    expect(cancelled).toBe(true);
  }, 30_000);

  it("cancelWorkflow answers true when this node's own round claimed the dead owner's execution and is still adopting it", async () => {
    const schema = t.schema();
    // The round's claim wins (the cancel's own claim by id is slow) and its adoption is slow (a
    // busy database answers the snapshot read late): meanwhile the cancel's wait reads the
    // execution owned by this very node under a fresh lease, past the wait's first deadline.
    const pg = new PostgresStore(PG_URL, { schema });
    const expiry = Date.now() + 2_000;
    const claim = pg.claimExecutions.bind(pg);
    let claimedByRound = false;
    pg.claimExecutions = async (q) => {
      if (q.ids?.includes('dead-b-2') && Date.now() > expiry) await sleep(400);
      const got = await claim(q);
      if (!q.ids && got.some((r) => r.id === 'dead-b-2')) claimedByRound = true;
      return got;
    };
    const read = pg.getExecution.bind(pg);
    let slowed = false;
    pg.getExecution = async (id) => {
      // The adoption's read only (the cancel's wait reads it too, every 50 ms).
      if (id === 'dead-b-2' && claimedByRound && !slowed && /\badopt\b/.test(new Error().stack ?? '')) {
        slowed = true;
        await sleep(1_000);
      }
      return read(id);
    };
    const a = await node(schema, { store: pg });
    await a.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'wait' }]);
    const raw = new PostgresStore(PG_URL, { schema });
    t.later(() => raw.close());
    await raw.init();
    await raw.createExecution(record('dead-b-2', 'w', 'otherhost/4242/dead01', expiry), []);
    const cancelled = await a.workflowEngine.cancelWorkflow('dead-b-2');
    const final = await a.workflowEngine.waitForCompletion('dead-b-2', { timeout: 10 });
    expect(slowed).toBe(true);
    expect(final.status).toBe('cancelled');
    expect(cancelled).toBe(true);
  }, 30_000);

  it('an execution placed on a node that just died is taken over a lease after its last heartbeat', async () => {
    const schema = t.schema();
    // Another host's node heartbeated, then died: live in the registry for one more lease. (A 6 s
    // lease: placeable for 4 s after that heartbeat, which a loaded machine's placement stays within.)
    const { a, lastHeartbeat: died } = await nodeBesideOtherHost(schema, 'otherhost/4242/dead00', 0, 6);
    const id = await a.workflowEngine.executeWorkflow('quick', {});
    const placed = (await a.store.getExecution(id))?.execution;
    expect(placed?.owner).toBe('otherhost/4242/dead00');
    // Its lease ends a lease after the dead node's last heartbeat, not a lease after placement.
    expect(placed?.leaseUntil).toBeLessThanOrEqual(died + 6_000);
    expect((await a.workflowEngine.waitForCompletion(id, { timeout: 20 })).status).toBe('completed');
  }, 45_000);

  it('a node whose last known heartbeat leaves it too little of a lease to renew is not placed on', async () => {
    // As after this node stalled (a GC pause, SIGSTOP): the heartbeats it read are old. Placed there,
    // an execution got a lease ending before its owner's next renewal, or already ended: this node's
    // next round claimed it back from under a healthy owner that had started it (a step run twice).
    const schema = t.schema();
    // Its last heartbeat 1.5 s ago, with a 2 s lease: live for 0.5 s more, less than the third of a
    // lease between its renewals.
    const { a } = await nodeBesideOtherHost(schema, 'otherhost/4243/old000', 1_500);
    const before = Date.now();
    const id = await a.workflowEngine.executeWorkflow('quick', {});
    const placed = (await a.store.getExecution(id))?.execution;
    expect(placed?.owner).toBe(a.nodeId);
    // A lease of its own from placement (the old node's would end by `before` + 0.5 s).
    expect(placed!.leaseUntil!).toBeGreaterThanOrEqual(before + 2_000);
    expect((await a.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
  }, 30_000);
});

/**
 * Node a (on `schema`, leases of `leaseSeconds`) running one `hold` execution, with `quick`
 * defined, and another host's cluster node `id` whose last heartbeat (`lastHeartbeat`, returned)
 * was `agoMs` before a was up, once a has seen it.
 */
async function nodeBesideOtherHost(
  schema: string,
  id: string,
  agoMs: number,
  leaseSeconds = 2,
): Promise<{ a: Orchestrator; lastHeartbeat: number }> {
  const a = await node(schema, { leaseSeconds });
  await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
  await a.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
  const raw = new PostgresStore(PG_URL, { schema });
  t.later(() => raw.close());
  await raw.init();
  await a.workflowEngine.executeWorkflow('hold', {}); // a: 1, the other: 0
  const pid = Number(id.split('/')[1]);
  // Taken once this node is up: its start on a loaded machine does not eat into the other's lease.
  const lastHeartbeat = Date.now() - agoMs;
  await raw.heartbeat({
    id,
    startedAt: lastHeartbeat - 10_000,
    lastHeartbeat,
    running: 0,
    queued: 0,
    capacity: 100,
    info: { pid, cluster: true, leaseSeconds },
  });
  const seenBy = Date.now() + 5_000;
  while (!a.loadBalancer.getWorkers().includes(id) && Date.now() < seenBy) await sleep(20);
  return { a, lastHeartbeat };
}
