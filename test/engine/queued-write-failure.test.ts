/**
 * A queued execution whose terminal write fails as it is ended in the queue (its workflow timeout
 * passed) is not lost: the store still holds it as this node's, unfinished, so this node takes it
 * up again when the store answers, as it does an execution whose runner's write failed.
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { gate, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

/**
 * One slot, held by a 'slow' execution (`first`) until `hold` opens; behind it a 'fast' one
 * (`queued`) whose 5 s workflow timeout runs out while it waits.
 */
async function queuedBehindOne(store: string) {
  const clock = new FakeClock();
  const hold = gate();
  const orch = await withOrchestrator({
    store,
    clock,
    sweepInterval: 1,
    maxConcurrentWorkflows: 1,
    actions: { block: () => hold.promise, quick: () => 'ok' },
  });
  await orch.workflowEngine.defineWorkflow('slow', [{ name: 'block' }], { timeout: 600 });
  await orch.workflowEngine.defineWorkflow('fast', [{ name: 'quick' }], { timeout: 5 });
  const first = await orch.workflowEngine.executeWorkflow('slow');
  const queued = await orch.workflowEngine.executeWorkflow('fast');
  return { clock, hold, orch, first, queued };
}

describe('a queued execution whose end could not be stored', () => {
  it('is taken up again and ends, counted once', async () => {
    const { clock, hold, orch, first, queued } = await queuedBehindOne(tempSqliteUrl());
    const update = orch.store.update.bind(orch.store);
    let failed = false;
    vi.spyOn(orch.store, 'update').mockImplementation(async (u) => {
      if (u.id === queued && !failed) {
        failed = true;
        throw new Error('disk I/O error');
      }
      return update(u);
    });
    await clock.advance(6_000);
    await vi.waitFor(() => expect(failed).toBe(true));
    hold.open();
    expect((await orch.workflowEngine.waitForCompletion(first)).status).toBe('completed');
    await vi.waitFor(
      async () => {
        await clock.advance(1_000);
        expect((await orch.store.getExecution(queued))?.execution.status).toBe('failed');
      },
      { timeout: 3000, interval: 20 },
    );
    expect((await orch.workflowEngine.getExecutionStatus(queued))?.error).toMatchObject({
      code: 'WORKFLOW_TIMEOUT',
    });
    expect(orch.getMetrics().executions).toMatchObject({ total: 2, pending: 0, completed: 1, failed: 1 });
  });

  it('taken over by another node meanwhile, is counted once', async () => {
    const store = tempSqliteUrl();
    const { clock, hold, orch, first, queued } = await queuedBehindOne(store);
    const raw = new SqliteStore(store.slice('sqlite:'.length));
    await raw.init();
    const update = orch.store.update.bind(orch.store);
    let taken = false;
    vi.spyOn(orch.store, 'update').mockImplementation(async (u) => {
      if (u.id === queued && !taken) {
        taken = true;
        const now = clock.now();
        await raw.claimExecutions({
          owner: 'b',
          leaseUntil: now + 600_000,
          now,
          staleOwners: [orch.nodeId],
          ids: [queued],
          limit: 1,
        });
      }
      return update(u); // fenced off: b holds it
    });
    await clock.advance(6_000);
    await vi.waitFor(() => expect(taken).toBe(true));
    hold.open();
    expect((await orch.workflowEngine.waitForCompletion(first)).status).toBe('completed');
    for (let i = 0; i < 3; i++) await clock.advance(1_000);
    expect((await raw.getExecution(queued))?.execution).toMatchObject({ owner: 'b', status: 'pending' });
    expect(orch.getMetrics().executions).toMatchObject({ total: 2, pending: 1, completed: 1, failed: 0 });
    await raw.close();
  });
});
