/**
 * README (Clock steps): within one process a step's `timeout` runs on Node's monotonic timers and
 * is not affected by the system clock being stepped (NTP, a VM resumed). The check that takes a
 * result after the timeout as late (its timer not fired yet) reads the wall clock: it must not
 * count a clock stepped forward as time the attempt (or parallel step) took.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepDefinition } from '../../src/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';
import { stepClockForward } from '../helpers/step-system-clock.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a system clock stepped forward while a step runs', () => {
  /** Runs `steps` with a `work` action that steps the clock two minutes forward and returns 'done'. */
  async function run(steps: StepDefinition[]) {
    const work = async () => {
      stepClockForward(120_000);
      return 'done';
    };
    const orch = await withOrchestrator({ actions: { work } });
    const e = orch.workflowEngine;
    await e.defineWorkflow('w', steps, { timeout: 3600 });
    return e.waitForCompletion(await e.executeWorkflow('w'));
  }

  it("does not time out an attempt that took less than its step's timeout", async () => {
    const status = await run([{ name: 'work', timeout: 5, retry: { maxAttempts: 0 } }]);
    expect(status.status).toBe('completed');
    expect(status.outputData.work).toBe('done');
  });

  it('does not time out a parallel step whose branches took less than its timeout', async () => {
    const status = await run([{ name: 'p', timeout: 5, parallel: [{ name: 'work' }] }]);
    expect(status.status).toBe('completed');
    expect(status.outputData.p).toEqual({ work: 'done' });
  });
});
