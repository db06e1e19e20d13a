/**
 * When a result arrives after two deadlines whose timers have not fired yet (a step's timeout and
 * its workflow's, or a branch's and its parallel step's), the earlier deadline is the one that
 * ends the attempt, as the timers would have run (Node fires due timer lists earliest first): the
 * step's timeout, not the later workflow (or parallel step) timeout that follows it.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { type StalledClock, stalledClock } from '../helpers/stalled-clock.js';

async function withStalled(test: (orch: Orchestrator, clock: StalledClock) => Promise<void>) {
  const clock = stalledClock();
  const orch = await createOrchestrator({ store: 'memory', clock });
  try {
    await test(orch, clock);
  } finally {
    await orch.close();
  }
}

describe('a result past two deadlines, their timers not fired', () => {
  it("is the step's STEP_TIMEOUT when its timeout came before the workflow's", () =>
    withStalled(async (orch, clock) => {
      const e = orch.workflowEngine;
      // Synchronous: it cannot be cut short, and no timer runs while it does.
      e.registerAction('late', () => {
        clock.move(20);
        return 'late';
      });
      await e.defineWorkflow('w', [{ name: 'late', timeout: 0.005, retry: { maxAttempts: 0 } }], {
        timeout: 0.01,
      });
      const status = await e.waitForCompletion(await e.executeWorkflow('w'));
      expect(status.status).toBe('failed');
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'late' });
      expect(status.steps[0]).toMatchObject({
        name: 'late',
        status: 'failed',
        error: { code: 'STEP_TIMEOUT' },
      });
    }));

  it("is the branch's STEP_TIMEOUT when its timeout came before its parallel step's", () =>
    withStalled(async (orch, clock) => {
      const e = orch.workflowEngine;
      e.registerAction('late', () => {
        clock.move(20);
        return 'late';
      });
      await e.defineWorkflow('w', [
        {
          name: 'p',
          timeout: 0.01,
          parallel: [{ name: 'late', timeout: 0.005, retry: { maxAttempts: 0 } }],
        },
      ]);
      const status = await e.waitForCompletion(await e.executeWorkflow('w'));
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'late' });
      expect(status.steps[0]?.branches?.[0]).toMatchObject({
        name: 'late',
        status: 'failed',
        error: { code: 'STEP_TIMEOUT' },
      });
    }));
});
