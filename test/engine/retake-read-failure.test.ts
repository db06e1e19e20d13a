/**
 * An execution this node took up (claimed, or took up again after a store failure) whose read
 * fails before it starts (the connection dropped between the claim and the read) is still this
 * node's in the store, its lease renewed by this node: it must be taken up again at a later round,
 * not left held and unrun for as long as the node lives.
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe('an execution taken up whose read fails', () => {
  it('is taken up again at a later round and completes', async () => {
    const clock = new FakeClock();
    const errors: string[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      clock,
      sweepInterval: 1,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (_obj, msg) => errors.push(msg ?? ''),
      },
      actions: { quick: () => 'ok' },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'quick' }]);
    const { store } = orch;
    const update = store.update.bind(store);
    const read = store.getExecution.bind(store);
    // The store is down while the execution runs: its writes fail, the runner gives it up.
    let down = true;
    vi.spyOn(store, 'update').mockImplementation((u) =>
      down ? Promise.reject(new Error('connection lost')) : update(u),
    );
    // Then one read fails: the one that takes it up again, right after its claim committed.
    let readFailures = 0;
    vi.spyOn(store, 'getExecution').mockImplementation((id) =>
      readFailures-- > 0 ? Promise.reject(new Error('connection lost')) : read(id),
    );
    const id = await orch.workflowEngine.executeWorkflow('w');
    await vi.waitFor(() => expect(errors).toContain('store write failed; execution will be resumed'));
    down = false;
    readFailures = 1;
    await vi.waitFor(
      async () => {
        await clock.advance(1_000);
        expect((await read(id))?.execution.status).toBe('completed');
      },
      { timeout: 3_000, interval: 20 },
    );
    expect(readFailures).toBeLessThan(0);
    expect(orch.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
  });
});
