/**
 * A node whose leases may have lapsed renews them before it starts a handler. When the renewal
 * fails too (the store does not answer it), another node may run the execution by now: the
 * handler does not start, the execution stops here, and it is claimed again — and finished, its
 * step run once — when renewals work again.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ExecutionUpdate } from '../../src/store/store.js';
import { FlakyRenewals } from '../helpers/flaky-renewals.js';
import { gatedFirstStep } from '../helpers/gated-first-step.js';
import { answerWithin, finishWithClock, tempDir, until } from '../helpers/orchestrator.js';

describe('lease renewal before a handler starts', () => {
  it('does not start the next step while renewals fail after the lease lapsed', async () => {
    const store = new FlakyRenewals(`${tempDir()}/orchestrator.sqlite`);
    const { clock, orch, first, runs, id } = await gatedFirstStep(store);
    store.failRenewals = true;
    await clock.advance(5_000);
    expect(store.renewalsRefused).toBeGreaterThan(0);
    // Step 1 ends after the lease lapsed: step 2 must not start on an unconfirmed lease.
    first.open(1);
    for (let i = 0; i < 20; i++) await clock.advance(10);
    expect(runs.second).toBe(0);
    expect(orch.getLocalLoad()).toEqual({ running: 0, queued: 0 });
    // Renewals work again: the execution is claimed again and finishes, step 2 run once.
    store.failRenewals = false;
    const status = await finishWithClock(orch, clock, id, { stepMs: 500 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ first: 1, second: 1 });
    expect(runs.second).toBe(1);
  });
});

/** A SQLite store whose next write of step `second`'s completion fails, as a lost connection would. */
class FailingWrite extends SqliteStore {
  failNext = false;
  override update(update: ExecutionUpdate): Promise<void> {
    if (this.failNext && update.steps?.some((s) => s.name === 'second' && s.status === 'completed')) {
      this.failNext = false;
      return Promise.reject(new Error('connection lost (injected)'));
    }
    return super.update(update);
  }
}

describe('an execution given up after a failed write', () => {
  it('is cancelled at once by cancelWorkflow (taken up again here), its completed step compensated', async () => {
    const clock = new FakeClock();
    const store = new FailingWrite(`${tempDir()}/orchestrator.sqlite`);
    const undone: unknown[] = [];
    const orch = await createOrchestrator({
      store,
      clock,
      actions: { first: () => 1, second: () => 2 },
      compensations: { undo: (output) => undone.push(output) },
    });
    try {
      await orch.workflowEngine.defineWorkflow('w', [
        { name: 'first', compensation: 'undo' },
        { name: 'second' },
      ]);
      // Step 1's result is written; step 2's fails: the runner gives the execution up (it stays
      // this node's, under its lease, for the next round to take up again).
      store.failNext = true;
      const id = await orch.workflowEngine.executeWorkflow('w');
      await until(() => !store.failNext && orch.getLocalLoad().running === 0);
      expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('running');
      // No round has run (the clock stands still): cancelWorkflow takes it up itself.
      expect(await answerWithin(orch.workflowEngine.cancelWorkflow(id))).toBe(true);
      const status = await orch.workflowEngine.getExecutionStatus(id);
      expect(status?.status).toBe('cancelled');
      expect(status?.compensatedSteps).toEqual(['first']);
      expect(undone).toEqual([1]);
    } finally {
      await orch.close();
    }
  });
});
