/**
 * Placement and a draining node (in this process, two nodes on one PostgreSQL schema): a node whose
 * `close({ grace })` waits for a running step is marked `draining` in the registry, and the other
 * nodes place nothing on it once they read that (docs/scaling.md, graceful shutdown); an execution
 * one of them placed there before it read the mark is let go by the draining node and run
 * elsewhere, not held until the grace ends; a submission on the draining node itself is refused
 * with `ClosedError` (README, `close()`).
 */
import { describe, expect, it } from 'vitest';
import { ClosedError, createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

/** Waits (a few ms at a time, up to 5 s) until `cond` holds; fails naming `what` otherwise. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const by = Date.now() + 5_000;
  while (!(await cond())) {
    if (Date.now() > by) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Cluster {
  a: Orchestrator;
  b: Orchestrator;
  /** Opens the gate the `hold` steps wait on. */
  release(): void;
  /** Resolves when `n` `hold` steps have started (on either node). */
  started(n: number): Promise<void>;
  owner(id: string): Promise<string | null>;
}

/**
 * Node `b`, then node `a` (with `slotsA` slots and housekeeping every `sweepA` seconds), each with a
 * `hold` workflow whose step waits on a gate and a `quick` one. `b` runs one `hold` execution.
 */
async function setUp(slotsA: number, sweepA: number): Promise<Cluster> {
  const schema = t.schema();
  const hold = gate();
  let starts = 0;
  const waiters: { n: number; resolve(): void }[] = [];
  const actions = {
    hold: async () => {
      starts++;
      for (const w of waiters.filter((w) => w.n <= starts)) w.resolve();
      await hold.promise;
      return 'held';
    },
    quick: () => 'quick',
  };
  const started = (n: number) =>
    n <= starts ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }));
  const node = async (slots: number, sweep: number): Promise<Orchestrator> => {
    const orch = await createOrchestrator({
      store: new PostgresStore(PG_URL, { schema }),
      cluster: true,
      sweepInterval: sweep,
      leaseSeconds: 15,
      maxConcurrentWorkflows: slots,
      actions,
    });
    t.later(() => orch.close());
    return orch;
  };
  const b = await node(10, 0.1);
  await b.workflowEngine.defineWorkflow('hold', [{ name: 'hold', timeout: 60 }]);
  await b.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
  // Alone in the cluster: b keeps it.
  await b.workflowEngine.executeWorkflow('hold', {});
  await started(1);
  const a = await node(slotsA, sweepA);
  // Cleanups run newest first: the gate opens before the nodes close (a close waits for the step).
  t.later(() => hold.open());
  const owner = async (id: string) => (await a.store.getExecution(id))?.execution.owner ?? null;
  // a counts b live, with its one execution.
  await until(() => a.loadBalancer.getLoadDistribution()[b.nodeId] === 1, 'a counts b with its execution');
  return { a, b, release: hold.open, started, owner };
}

/** Whether `b`'s registry row says it is draining. */
async function markedDraining(a: Orchestrator, b: Orchestrator): Promise<boolean> {
  const nodes = await a.store.listNodes(0);
  return nodes.some((n) => n.id === b.nodeId && n.info.draining === true);
}

describe('placement and a draining node', () => {
  it('places nothing on a draining node once its mark is read', async () => {
    const { a, b, release, started, owner } = await setUp(1, 0.1);
    // a's one slot taken: with b live, the next submissions would go to b (less loaded).
    await a.workflowEngine.executeWorkflow('hold', {});
    await started(2);
    const closing = b.close({ grace: 60 });
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    await until(() => markedDraining(a, b), "b's heartbeat says it is draining");
    await until(() => !a.loadBalancer.getWorkers().includes(b.nodeId), 'a no longer counts b');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await a.workflowEngine.executeWorkflow('quick', {}));
    const owners = await Promise.all(ids.map(owner));
    expect(owners).toEqual(Array<string>(6).fill(a.nodeId));
    // b was draining all along: its close waits for its running step.
    expect(closed).toBe(false);
    release();
    await closing;
    const done = await Promise.all(ids.map((id) => a.workflowEngine.waitForCompletion(id, { timeout: 5 })));
    expect(done.map((s) => s.status)).toEqual(Array<string>(6).fill('completed'));
  }, 20_000);

  it('runs elsewhere, during the grace, what was placed on the draining node before its mark was read', async () => {
    // a's housekeeping is slow (every 5 s): its view of b is the one from before b's close.
    const { a, b, release, started, owner } = await setUp(3, 5);
    await a.workflowEngine.executeWorkflow('hold', {});
    await a.workflowEngine.executeWorkflow('hold', {});
    await started(3);
    const closing = b.close({ grace: 60 });
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    await until(() => markedDraining(a, b), "b's heartbeat says it is draining");
    // a has not read the mark yet: 2 here against 1 there, it places on b.
    expect(a.loadBalancer.getWorkers()).toContain(b.nodeId);
    const id = await a.workflowEngine.executeWorkflow('quick', {});
    expect(await owner(id)).toBe(b.nodeId);
    // b adopts nothing while draining; held by it, the execution would wait for the whole grace.
    const status = await a.workflowEngine.waitForCompletion(id, { timeout: 3 });
    expect(status.status).toBe('completed');
    expect(status.workerId).toBe(a.nodeId);
    expect(closed).toBe(false);
    release();
    await closing;
  }, 20_000);

  it('refuses a submission on the draining node with ClosedError, storing nothing', async () => {
    const { a, b, release } = await setUp(10, 0.1);
    const before = await a.workflowEngine.countExecutions();
    const closing = b.close({ grace: 60 });
    await until(() => markedDraining(a, b), "b's heartbeat says it is draining");
    await expect(b.workflowEngine.executeWorkflow('quick', {})).rejects.toBeInstanceOf(ClosedError);
    await expect(b.workflowEngine.executeWorkflow('quick', {})).rejects.toMatchObject({ code: 'CLOSED' });
    expect(await a.workflowEngine.countExecutions()).toBe(before);
    release();
    await closing;
  }, 20_000);
});
