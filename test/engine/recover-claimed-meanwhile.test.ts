/**
 * A configured node id restarted after a crash counts the executions its id still holds as its own
 * from the start, and takes them up again (`recover`). One that another node claims after this
 * node read what it holds (counted and listed in one read, `Store.readOwned`), before its claim of
 * them, is that node's: counted among the other processes' executions, once, not also as this
 * node's for as long as it lives.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempSqliteUrl, until, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { heldExecution } from '../store/records.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('an execution another node claims while a restarted node id recovers it', () => {
  it('is counted once, among the other node’s', async () => {
    const url = tempSqliteUrl();
    const file = url.slice('sqlite:'.length);
    const wait = (_input: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal);
    const before = await withOrchestrator({ store: url, nodeId: 'n1', actions: { wait } });
    await before.workflowEngine.defineWorkflow('wait', [{ name: 'wait' }]);
    await before.close();
    // What a crash of n1 leaves: an execution still held by n1, its lease run out.
    const other = new SqliteStore(file);
    await other.init();
    await other.createExecution(heldExecution('held-by-n1', 'wait', 'n1', Date.now() - 1));

    // n1 starts again; right after it read what it holds, node n2 (another connection) claims it.
    const store = new SqliteStore(file);
    let claimedBy2 = false;
    const claimBy2 = async () => {
      if (claimedBy2) return;
      claimedBy2 = true;
      const now = Date.now();
      const taken = await other.claimExecutions({
        owner: 'n2',
        leaseUntil: now + 600_000,
        now,
        staleOwners: ['n1'],
        ids: ['held-by-n1'],
        limit: 1,
      });
      expect(taken.map((r) => r.id)).toEqual(['held-by-n1']);
    };
    const readOwned = store.readOwned.bind(store);
    store.readOwned = async (owner) => {
      const read = await readOwned(owner);
      expect(read.unfinished.map((r) => r.id)).toEqual(['held-by-n1']);
      await claimBy2();
      return read;
    };
    // Also right after a count of what n1 holds read on its own (as n1 did before `readOwned`,
    // listing what it holds in a later read: the claim came between the two, and n2's execution
    // was counted twice, as n1's and as n2's).
    let othersReads = 0;
    const aggregate = store.aggregateByWorkflow.bind(store);
    store.aggregateByWorkflow = async (filter) => {
      const read = await aggregate(filter);
      if (filter?.exceptOwner !== undefined) othersReads++;
      if (filter?.owner === 'n1') await claimBy2();
      return read;
    };
    const after = await withOrchestrator({ store, nodeId: 'n1', sweepInterval: 0.05, actions: { wait } });
    expect(claimedBy2).toBe(true);
    expect((await other.getExecution('held-by-n1'))?.execution.owner).toBe('n2');
    // Also once the other processes' counts are read again (n2 wrote): one running execution.
    expect(after.getMetrics().executions).toMatchObject({ total: 1, running: 1 });
    const reads = othersReads;
    await until(() => othersReads > reads);
    expect(after.getMetrics().executions).toMatchObject({ total: 1, running: 1 });
    await other.close();
  });
});
