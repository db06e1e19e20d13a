/**
 * `close({ grace })` leaves nothing armed once it resolved: the grace period's timer is cancelled
 * when the running executions end first (else a process that closed could not exit until the
 * whole grace had passed).
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { answerWithin, gate, tempSqliteUrl } from '../helpers/orchestrator.js';

describe('close({ grace })', () => {
  it('cancels the grace timer once the running executions finish', async () => {
    const clock = new FakeClock();
    const release = gate();
    const started = gate();
    const orch = await createOrchestrator({
      store: 'memory',
      clock,
      actions: {
        work: async () => {
          started.open();
          await release.promise;
          return 1;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    const closing = orch.close({ grace: 3600 });
    release.open();
    await closing;
    expect(clock.pendingTimers).toBe(0);
    expect(orch.closed).toBe(true);
    expect(id).toMatch(/^exec_/);
  });

  it('ends once the running executions are let go, whatever waits in the queue (it does not start)', async () => {
    const clock = new FakeClock();
    const release = gate();
    const started = gate();
    const store = tempSqliteUrl();
    const orch = await createOrchestrator({
      store,
      clock,
      maxConcurrentWorkflows: 1,
      actions: {
        work: async () => {
          started.open();
          await release.promise;
          return 1;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const running = await orch.workflowEngine.executeWorkflow('w');
    const queued = await orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    expect(orch.getLocalLoad()).toEqual({ running: 1, queued: 1 });
    const closing = orch.close({ grace: 3600 });
    release.open();
    // No virtual time passes: the close used to wait out the whole hour for the queued execution.
    expect(await answerWithin(closing.then(() => 'closed'))).toBe('closed');
    expect(clock.pendingTimers).toBe(0);

    const next = await createOrchestrator({ store, clock, actions: { work: () => 2 } });
    try {
      // The step that ran in the grace is recorded once; the queued execution runs now.
      expect((await next.workflowEngine.waitForCompletion(running)).outputData).toEqual({ work: 1 });
      expect((await next.workflowEngine.waitForCompletion(queued)).outputData).toEqual({ work: 2 });
    } finally {
      await next.close();
    }
  });
});
