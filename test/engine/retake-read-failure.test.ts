/**
 * An execution this node gave up after a store failure is still this node's in the store, its
 * lease renewed by this node, so no other node takes it: this node must take it up again, not
 * leave it held and unrun for as long as it lives — also when the read that follows the claim
 * fails (the connection dropped between the two), or when the claim skips it (PostgreSQL claims
 * skip rows another transaction has locked: a cancel request being written, an admin's session).
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

  it('is taken up again at a later round when the claim that would take it up skips it', async () => {
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
    const claim = store.claimExecutions.bind(store);
    let down = true;
    vi.spyOn(store, 'update').mockImplementation((u) =>
      down ? Promise.reject(new Error('connection lost')) : update(u),
    );
    // The first claim that names it finds its row locked by another transaction: it skips it.
    let skips = 0;
    vi.spyOn(store, 'claimExecutions').mockImplementation(async (request) => {
      if (request.ids?.includes(id) && skips-- > 0) return [];
      return claim(request);
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    await vi.waitFor(() => expect(errors).toContain('store write failed; execution will be resumed'));
    down = false;
    skips = 1;
    await vi.waitFor(
      async () => {
        await clock.advance(1_000);
        expect((await store.getExecution(id))?.execution.status).toBe('completed');
      },
      { timeout: 3_000, interval: 20 },
    );
    expect(skips).toBeLessThan(0);
    expect(orch.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
  });
});
