/**
 * README (Clock steps): within one process a step's `timeout` runs on Node's monotonic timers and
 * is not affected by the system clock being stepped (NTP, a VM resumed). The check that takes a
 * result after the timeout as late (its timer not fired yet) reads the wall clock: it must not
 * count a clock stepped forward as time the attempt (or parallel step) took.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withOrchestrator } from '../helpers/orchestrator.js';

/** Steps the system clock (Date.now, which systemClock reads) forward by `ms` from now on. */
function stepClockForward(ms: number): void {
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => real() + ms);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a system clock stepped forward while a step runs', () => {
  it("does not time out an attempt that took less than its step's timeout", async () => {
    const orch = await withOrchestrator({
      actions: {
        work: async () => {
          stepClockForward(120_000);
          return 'done';
        },
      },
    });
    const e = orch.workflowEngine;
    await e.defineWorkflow('w', [{ name: 'work', timeout: 5, retry: { maxAttempts: 0 } }], { timeout: 3600 });
    const status = await e.waitForCompletion(await e.executeWorkflow('w'));
    expect(status.status).toBe('completed');
    expect(status.outputData.work).toBe('done');
  });

  it('does not time out a parallel step whose branches took less than its timeout', async () => {
    const orch = await withOrchestrator({
      actions: {
        work: async () => {
          stepClockForward(120_000);
          return 'done';
        },
      },
    });
    const e = orch.workflowEngine;
    await e.defineWorkflow('w', [{ name: 'p', timeout: 5, parallel: [{ name: 'work' }] }], { timeout: 3600 });
    const status = await e.waitForCompletion(await e.executeWorkflow('w'));
    expect(status.status).toBe('completed');
    expect(status.outputData.p).toEqual({ work: 'done' });
  });
});
