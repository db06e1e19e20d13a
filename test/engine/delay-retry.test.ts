/**
 * A `delay` step with a `timeout` shorter than its delay, and retries: each attempt waits its own
 * delay from its own start, so each times out. Its timer (`timerAt`) was set by the first attempt
 * only and kept across retries, so a retry that started past it ended at once and the step
 * completed after a timeout had cut every real wait short. A restart in the middle of a wait keeps
 * that wait's timer (test/cluster/timers-of-dead-owner.test.ts, test/recovery/kill.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { finishWithClock, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('a delay step retried after its timeout (%s store)', (kind) => {
  it('waits its whole delay on every attempt, so each attempt times out', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store: storeUrl(kind), clock });
    await orch.workflowEngine.defineWorkflow('w', [
      {
        name: 'wait',
        action: 'delay',
        input: "{'seconds': 3}",
        timeout: 1,
        retry: { maxAttempts: 3, initialDelay: 1, backoffCoefficient: 2 },
      },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { stepMs: 50 });
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('STEP_TIMEOUT');
    const step = status.steps[0]!;
    expect(step.attempts).toBe(4);
    expect(step.history?.map((a) => a.error?.code)).toEqual([
      'STEP_TIMEOUT',
      'STEP_TIMEOUT',
      'STEP_TIMEOUT',
      'STEP_TIMEOUT',
    ]);
    // Attempts of 1 s each, backoffs of 1, 2 and 4 s between them.
    expect(step.durationMs).toBe(4 * 1000 + 1000 + 2000 + 4000);
  });
});
