/**
 * A cluster node reads the stored loads both in housekeeping and in the background after it placed
 * an execution on another node (`placed-loads.ts`). Two reads can overlap: the one that started
 * first may answer last. Its loads are older than those already applied, and must not replace them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REREAD_MS } from '../../src/engine/placed-loads.js';
import { FakeClock, type Orchestrator } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type Gate, gate, nextTurn, tempDir, until, withOrchestrator } from '../helpers/orchestrator.js';

/** A SQLite store whose `loadByOwner` answers, once `held`, what the test opens each read's gate with. */
class HeldLoads extends SqliteStore {
  held = false;
  readonly reads: Gate<Record<string, number>>[] = [];
  override loadByOwner(): Promise<Record<string, number>> {
    if (!this.held) return super.loadByOwner();
    const read = gate<Record<string, number>>();
    this.reads.push(read);
    return read.promise;
  }
}

/** Two cluster nodes on one SQLite file; `node`'s reads of the loads are held from now on. */
async function cluster() {
  const file = join(tempDir(), 'store.sqlite');
  const clock = new FakeClock();
  const options = {
    clock,
    cluster: true,
    // Rounds only when the test advances the clock by 10 s.
    sweepInterval: 10,
    leaseSeconds: 60,
    actions: { hold: () => new Promise(() => undefined) },
  };
  const other = await withOrchestrator({ ...options, store: new SqliteStore(file) });
  const store = new HeldLoads(file);
  const node = await withOrchestrator({ ...options, store });
  expect(node.loadBalancer.getWorkers()).toContain(other.nodeId);
  await node.workflowEngine.defineWorkflow('w', [{ name: 'hold' }]);
  store.held = true;
  const loadOfOther = () => node.loadBalancer.getLoadDistribution()[other.nodeId];
  return { clock, store, node, other: other.nodeId, loadOfOther };
}

/** Submits executions on `node` until one is placed on another node (its background read starts). */
async function placeElsewhere(node: Orchestrator, store: HeldLoads): Promise<void> {
  const before = store.reads.length;
  for (let i = 0; i < 10 && store.reads.length === before; i++)
    await node.workflowEngine.executeWorkflow('w');
  expect(store.reads.length).toBe(before + 1);
}

/** Answers read `index` with `loads`. */
function answer(store: HeldLoads, index: number, loads: Record<string, number>): void {
  store.reads[index]?.open(loads);
}

describe('reads of the cluster loads that overlap', () => {
  it("keep the loads of housekeeping's read when a background read that started before answers after it", async () => {
    const { clock, store, node, other, loadOfOther } = await cluster();
    // Past the shortest gap between two reads since the one at start.
    await clock.advance(REREAD_MS);
    await placeElsewhere(node, store);
    // A housekeeping round reads them next, and answers first.
    await clock.advance(10_000);
    await until(() => store.reads.length === 2);
    answer(store, 1, { [other]: 1 });
    await until(() => loadOfOther() === 1);
    // The background read answers last, with what it read before.
    answer(store, 0, { [other]: 4 });
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(loadOfOther()).toBe(1);
  });

  it("keep the loads of a background read when housekeeping's read that started before answers after it", async () => {
    const { clock, store, node, other, loadOfOther } = await cluster();
    await clock.advance(10_000);
    await until(() => store.reads.length === 1);
    // While housekeeping's read is under way, a placement elsewhere reads them again; it answers first.
    await placeElsewhere(node, store);
    answer(store, 1, { [other]: 1 });
    await until(() => loadOfOther() === 1);
    answer(store, 0, { [other]: 4 });
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(loadOfOther()).toBe(1);
  });
});

/** Submits executions on `node` until one is placed on `other` (its load there goes up). */
async function placeOnOther(node: Orchestrator, loadOfOther: () => number | undefined): Promise<void> {
  const before = loadOfOther() ?? 0;
  for (let i = 0; i < 10 && (loadOfOther() ?? 0) === before; i++)
    await node.workflowEngine.executeWorkflow('w');
  expect(loadOfOther()).toBe(before + 1);
}

describe('a placement elsewhere stored while the loads are being read', () => {
  it('stays counted when the read answers without it, until a read that started after it answers', async () => {
    const { clock, store, node, other, loadOfOther } = await cluster();
    // Housekeeping's read is under way when the placement's create is stored.
    await clock.advance(10_000);
    await until(() => store.reads.length === 1);
    await placeElsewhere(node, store);
    expect(loadOfOther()).toBe(1);
    // Housekeeping's read answers with what it saw before the create: the placement still counts.
    answer(store, 0, {});
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(loadOfOther()).toBe(1);
    // The background read, started after the create, decides.
    answer(store, 1, { [other]: 1 });
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(loadOfOther()).toBe(1);
    expect(store.reads).toHaveLength(2);
  });

  it('is read again after a background read that was under way when it was stored', async () => {
    const { clock, store, node, other, loadOfOther } = await cluster();
    await clock.advance(REREAD_MS);
    await placeElsewhere(node, store);
    // A second placement there while that read is under way starts no read of its own.
    await placeOnOther(node, loadOfOther);
    expect(store.reads).toHaveLength(1);
    expect(loadOfOther()).toBe(2);
    // The read answers with the first placement only: the second still counts, and is read again.
    answer(store, 0, { [other]: 1 });
    await until(() => store.reads.length === 2);
    expect(loadOfOther()).toBe(2);
    // That read decides: the first has ended there meanwhile.
    answer(store, 1, { [other]: 1 });
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(loadOfOther()).toBe(1);
    expect(store.reads).toHaveLength(2);
  });
});
