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
import { createOrchestrator, FakeClock, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ExecutionRecord } from '../../src/store/store.js';
import { driveClock, gate, until, untilAborted } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { heldExecution } from '../store/records.js';
import { perTest } from './per-test.js';
import { stageCancelWait } from './staged-cancel-wait.js';

const t = perTest();
const LEASE_MS = 2_000;

async function node(schema: string, extra: Record<string, unknown> = {}): Promise<Orchestrator> {
  const hold = gate();
  t.later(() => hold.open());
  const orch = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    cluster: true,
    sweepInterval: 0.2,
    leaseSeconds: LEASE_MS / 1000,
    actions: {
      hold: () => hold.promise.then(() => 'held'),
      quick: () => 'quick',
      wait: (_i: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal),
    },
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
    const { a, b } = await twoNodes(schema);
    await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await a.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    await a.workflowEngine.executeWorkflow('hold', {}); // a: 1, b: 0
    const id = await a.workflowEngine.executeWorkflow('quick', {}); // placed on b
    const done = await a.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(done.status).toBe('completed');
    expect((await a.store.getExecution(id))?.execution.owner).toBe(b.nodeId);
    // Store: 1 running (hold, on a), 1 completed (on b), 0 pending: what both nodes come to count
    // (a once its housekeeping re-read b's counts).
    for (const orch of [a, b]) {
      await expect
        .poll(() => orch.getMetrics().executions, { timeout: 10_000 })
        .toMatchObject({ total: 2, pending: 0, running: 1, completed: 1 });
      expect(orch.getMetrics('quick').executions).toMatchObject({ total: 1, completed: 1 });
    }
  }, 20_000);

  it('cancelWorkflow from another node answers true when the owner compensates for longer than a lease', async () => {
    const schema = t.schema();
    // The compensation on b lasts until the cancel's wait on a has read the execution compensating
    // for more than a lease (past the deadline a wait keeps for an owner showing no progress).
    const pg = new PostgresStore(PG_URL, { schema });
    const outlasted = gate();
    let compensatingSince: number | null = null;
    const read = pg.getExecution.bind(pg);
    pg.getExecution = async (id) => {
      const snapshot = await read(id);
      if (snapshot?.execution.status === 'compensating') {
        compensatingSince ??= Date.now();
        if (Date.now() - compensatingSince > LEASE_MS) outlasted.open();
      }
      return snapshot;
    };
    const slowUndo = { slow_undo: () => outlasted.promise.then(() => 'undone') };
    const { a, b } = await twoNodes(schema, { store: pg }, { compensations: slowUndo });
    await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await a.workflowEngine.defineWorkflow('comp', [
      { name: 's1', action: 'noop', compensation: 'slow_undo' },
      { name: 's2', action: 'wait' },
    ]);
    await a.workflowEngine.executeWorkflow('hold', {});
    const s2 = gate();
    b.on('step.started', (e) => {
      if (e.step === 's2') s2.open();
    });
    const id = await a.workflowEngine.executeWorkflow('comp', {});
    await s2.promise;
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
    const raw = new PostgresStore(PG_URL, { schema });
    t.later(() => raw.close());
    await raw.init();
    // Past the wait's first deadline B lets it go: the release wakes a, whose round claims it at
    // once and cancels it, the request being stored. The cancel's wait reads it owned by a, under a
    // new lease, before a's adoption is done (see staged-cancel-wait.ts).
    const pg = new PostgresStore(PG_URL, { schema });
    let nodeId = '';
    const staged = stageCancelWait(
      pg,
      'held-b',
      () => nodeId,
      LEASE_MS,
      () => raw.releaseLeases('otherhost/4242/b'),
    );
    const a = await node(schema, { store: pg });
    nodeId = a.nodeId;
    await a.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'wait' }]);
    // Node B (another host) holds it with a long lease and shows no progress.
    await raw.createExecution(record('held-b', 'w', 'otherhost/4242/b', Date.now() + 60_000), []);
    const cancelled = await a.workflowEngine.cancelWorkflow('held-b');
    await staged.settled();
    const final = await a.workflowEngine.waitForCompletion('held-b', { timeout: 10 });
    expect(staged.adoptionHeld()).toBe(true);
    expect(final.status).toBe('cancelled');
    expect(cancelled).toBe(true);
  }, 30_000);

  it("cancelWorkflow answers true when this node's own round claimed the dead owner's execution and is still adopting it", async () => {
    const schema = t.schema();
    // The round's claim wins (the cancel's wait does not read the lease run out before it) and its
    // adoption is slow (a busy database answers the snapshot read late): meanwhile the cancel's
    // wait reads the execution owned by this very node under a fresh lease, past the wait's first
    // deadline (see staged-cancel-wait.ts).
    const pg = new PostgresStore(PG_URL, { schema });
    let nodeId = '';
    const staged = stageCancelWait(pg, 'dead-b-2', () => nodeId, LEASE_MS);
    const a = await node(schema, { store: pg });
    nodeId = a.nodeId;
    await a.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'wait' }]);
    const raw = new PostgresStore(PG_URL, { schema });
    t.later(() => raw.close());
    await raw.init();
    await raw.createExecution(record('dead-b-2', 'w', 'otherhost/4242/dead01', Date.now() + LEASE_MS), []);
    const cancelled = await a.workflowEngine.cancelWorkflow('dead-b-2');
    const final = await a.workflowEngine.waitForCompletion('dead-b-2', { timeout: 10 });
    expect(staged.adoptionHeld()).toBe(true);
    expect(final.status).toBe('cancelled');
    expect(cancelled).toBe(true);
  }, 30_000);

  it('an execution placed on a node that just died is taken over a lease after its last heartbeat', async () => {
    const schema = t.schema();
    // Another host's node heartbeated, then died: live in the registry for one more lease (6 s),
    // placeable for 4 s after that heartbeat. Node a's time is a FakeClock: a loaded machine's
    // slow placement does not eat into those 4 s.
    const clock = new FakeClock(Date.now());
    const dead = 'otherhost/4242/dead00';
    const { a, seen, lastHeartbeat: died } = await nodeBesideOtherHost(schema, dead, 0, 6, clock);
    expect(seen).toBe(true);
    expect(clock.now() - died).toBeLessThan(4_000);
    const id = await a.workflowEngine.executeWorkflow('quick', {});
    const placed = (await a.store.getExecution(id))?.execution;
    expect(placed?.owner).toBe(dead);
    // Its lease ends a lease after the dead node's last heartbeat, not a lease after placement.
    expect(placed?.leaseUntil).toBe(died + 6_000);
    const done = await driveClock(clock, a.workflowEngine.waitForCompletion(id), { stepMs: 50, realMs: 5 });
    expect(done.status).toBe('completed');
    // Taken over once that lease ran out, by a (the dead node never ran it).
    expect(clock.now()).toBeGreaterThanOrEqual(died + 6_000);
    expect((await a.store.getExecution(id))?.execution.owner).toBe(a.nodeId);
  }, 45_000);

  it.each([
    // Live for 0.7 s more: past the third of a lease (0.67 s) before its next renewal. Placed there.
    { agoMs: 1_300, placedThere: true },
    // Live for 0.5 s more: less than that third. Not placed there.
    { agoMs: 1_500, placedThere: false },
  ])(
    'a node whose last known heartbeat is $agoMs ms old, with a 2 s lease, is placed on: $placedThere',
    async ({ agoMs, placedThere }) => {
      // As after this node stalled (a GC pause, SIGSTOP): the heartbeats it read are old. Placed there,
      // an execution got a lease ending before its owner's next renewal, or already ended: this node's
      // next round claimed it back from under a healthy owner that had started it (a step run twice).
      // Node a's time is a FakeClock: the heartbeat's age when a places is `agoMs` exactly, however
      // slowly the machine runs (the read of it, and the placement, take no time on that clock).
      const schema = t.schema();
      const clock = new FakeClock(Date.now());
      const other = 'otherhost/4243/old000';
      const { a, seen, lastHeartbeat } = await nodeBesideOtherHost(schema, other, 0, 2, clock);
      expect(seen).toBe(true);
      // The rounds meanwhile read it again: still live (within its lease) when a places.
      await clock.advance(lastHeartbeat + agoMs - clock.now());
      await until(() => a.loadBalancer.getWorkers().includes(other));
      const placedAt = clock.now();
      expect(placedAt - lastHeartbeat).toBe(agoMs);
      const id = await a.workflowEngine.executeWorkflow('quick', {});
      const placed = (await a.store.getExecution(id))?.execution;
      if (placedThere) {
        expect(placed?.owner).toBe(other);
        // A lease after its last heartbeat: the third of a lease or more left for it to renew.
        expect(placed?.leaseUntil).toBe(lastHeartbeat + LEASE_MS);
        expect(placed!.leaseUntil! - placedAt).toBeGreaterThanOrEqual(LEASE_MS / 3);
        return;
      }
      expect(placed?.owner).toBe(a.nodeId);
      // A lease of its own from placement (the old node's would end 0.5 s on).
      expect(placed?.leaseUntil).toBe(placedAt + LEASE_MS);
      const done = await driveClock(clock, a.workflowEngine.waitForCompletion(id), { stepMs: 50, realMs: 5 });
      expect(done.status).toBe('completed');
    },
    30_000,
  );
});

/**
 * Nodes a and b on `schema` (with `extraA`, `extraB`), b started first: a's first round, at its
 * start, sees b alive, so a places on b from the start.
 */
async function twoNodes(
  schema: string,
  extraA: Record<string, unknown> = {},
  extraB: Record<string, unknown> = {},
): Promise<{ a: Orchestrator; b: Orchestrator }> {
  const b = await node(schema, extraB);
  const a = await node(schema, extraA);
  expect(a.loadBalancer.getWorkers()).toContain(b.nodeId);
  return { a, b };
}

/**
 * Node a (on `schema`, leases of `leaseSeconds`) running one `hold` execution, with `quick`
 * defined, and another host's cluster node `id` whose last heartbeat (`lastHeartbeat`, returned)
 * was `agoMs` before a was up, once a's housekeeping read the registry after that heartbeat was
 * stored (`seen`: whether the read found it live). With `clock`, a runs on it (a FakeClock), and the
 * heartbeat's time is taken from it.
 */
async function nodeBesideOtherHost(
  schema: string,
  id: string,
  agoMs: number,
  leaseSeconds = 2,
  clock?: FakeClock,
): Promise<{ a: Orchestrator; seen: boolean; lastHeartbeat: number }> {
  const a = await node(schema, clock ? { leaseSeconds, clock } : { leaseSeconds });
  await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
  await a.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
  const raw = new PostgresStore(PG_URL, { schema });
  t.later(() => raw.close());
  await raw.init();
  await a.workflowEngine.executeWorkflow('hold', {}); // a: 1, the other: 0
  const pid = Number(id.split('/')[1]);
  // Taken once this node is up: its start on a loaded machine does not eat into the other's lease.
  const lastHeartbeat = (clock?.now() ?? Date.now()) - agoMs;
  // The first read of the registry by a's housekeeping after the heartbeat is stored.
  const read = gate<boolean>();
  const list = a.store.listNodes.bind(a.store);
  let stored = false;
  a.store.listNodes = async (since) => {
    const after = stored;
    const nodes = await list(since);
    if (after) read.open(nodes.some((n) => n.id === id));
    return nodes;
  };
  await raw.heartbeat({
    id,
    startedAt: lastHeartbeat - 10_000,
    lastHeartbeat,
    running: 0,
    queued: 0,
    capacity: 100,
    info: { pid, cluster: true, leaseSeconds, handlers: { actions: ['hold', 'quick'], compensations: [] } },
  });
  stored = true;
  // On a FakeClock, the rounds (and so the read) come as the test moves its time.
  const seen = await (clock ? driveClock(clock, read.promise, { stepMs: 10, realMs: 5 }) : read.promise);
  // The refresh applies what it read (the live nodes become the balancer's workers) in that turn.
  await new Promise((resolve) => setImmediate(resolve));
  return { a, seen, lastHeartbeat };
}
