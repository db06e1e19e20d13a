/**
 * `close({ grace })` leaves nothing armed once it resolved: the grace period's timer is cancelled
 * when the running executions end first (else a process that closed could not exit until the
 * whole grace had passed).
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { gate } from '../helpers/orchestrator.js';

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
});
