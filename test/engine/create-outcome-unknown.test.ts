/**
 * A create whose commit's answer is lost (the PostgreSQL connection drops after COMMIT reached the
 * server) fails the `executeWorkflow` call, though the execution may be stored, as this node's:
 * this node must then run it, not hold it (renewing its lease) and leave it unrun while it lives.
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe('a create whose outcome is unknown', () => {
  it('is run by this node when it was stored after all', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      clock,
      sweepInterval: 1,
      actions: { quick: () => 'ok' },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'quick' }]);
    const { store } = orch;
    const create = store.createExecution.bind(store);
    let stored: string | undefined;
    vi.spyOn(store, 'createExecution').mockImplementationOnce(async (execution, steps) => {
      await create(execution, steps);
      stored = execution.id;
      throw new Error('Connection terminated unexpectedly');
    });
    await expect(orch.workflowEngine.executeWorkflow('w')).rejects.toThrow('Connection terminated');
    expect(stored).toBeDefined();
    await vi.waitFor(
      async () => {
        await clock.advance(1_000);
        expect((await store.getExecution(stored!))?.execution.status).toBe('completed');
      },
      { timeout: 3_000, interval: 20 },
    );
    expect(orch.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
  });
});
