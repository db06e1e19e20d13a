/**
 * An attempt that ends after its step's timeout is a STEP_TIMEOUT even when the timeout's timer
 * has not fired yet: after a stall of the event loop Node runs a whole list of due timers before
 * the next list, so a handler's own 30 ms timer could beat the attempt's 10 ms timeout (about 1 %
 * of such attempts under load ended `completed`), and a synchronous handler cannot be cut short.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { stalledClock } from '../helpers/stalled-clock.js';

async function run(orch: Orchestrator, handler: () => unknown, timeout = 0.01) {
  orch.workflowEngine.registerAction('work', handler as never);
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'work', timeout, retry: { maxAttempts: 0 } }]);
  return orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('w'));
}

describe('an attempt that ends after its timeout', () => {
  it('is a STEP_TIMEOUT when its handler returns late, though the timer did not fire', async () => {
    const clock = stalledClock();
    const orch = await createOrchestrator({ store: 'memory', clock });
    try {
      const status = await run(orch, async () => {
        clock.move(20);
        return 'late';
      });
      expect(status.status).toBe('failed');
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'work' });
      expect(status.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
      expect(status.outputData.work).toBeUndefined();
    } finally {
      await orch.close();
    }
  });

  it("is a STEP_TIMEOUT when its handler throws late, not the handler's own error", async () => {
    const clock = stalledClock();
    const orch = await createOrchestrator({ store: 'memory', clock });
    try {
      const status = await run(orch, async () => {
        clock.move(11);
        throw new Error('own failure');
      });
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'work' });
    } finally {
      await orch.close();
    }
  });

  it('completes when its handler returns exactly at the deadline or before it', async () => {
    for (const ms of [10, 3]) {
      const clock = stalledClock();
      const orch = await createOrchestrator({ store: 'memory', clock });
      try {
        const status = await run(orch, async () => {
          clock.move(ms);
          return { ms };
        });
        expect(status.status).toBe('completed');
        expect(status.outputData.work).toEqual({ ms });
      } finally {
        await orch.close();
      }
    }
  });

  it('is a STEP_TIMEOUT for a synchronous handler that runs past its timeout (real clock)', async () => {
    const orch = await createOrchestrator({ store: 'memory' });
    try {
      const status = await run(orch, () => {
        const start = Date.now();
        while (Date.now() - start < 40) {
          // busy: no timer can fire while a synchronous handler runs
        }
        return 'late';
      });
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'work' });
    } finally {
      await orch.close();
    }
  });
});
