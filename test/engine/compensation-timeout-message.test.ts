/**
 * A compensation attempt that times out says so: its error (in the status, on compensation.failed,
 * in the alert) and its handler's `signal.reason` name the compensation of the step, not the step,
 * which completed (before, "Step 'book' timed out after 2s" beside a step shown completed).
 */
import { describe, expect, it } from 'vitest';
import { type Alert, FakeClock, StepTimeoutError } from '../../src/index.js';
import { collectEvents, finishWithClock, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

describe('a compensation attempt that times out', () => {
  it('names the compensation of its step in its error and its signal reason', async () => {
    const clock = new FakeClock();
    const reasons: unknown[] = [];
    const orch = await withOrchestrator({
      clock,
      retryAttempts: 0,
      actions: {
        book: () => 'booked',
        boom: () => {
          throw new Error('out of stock');
        },
      },
      compensations: {
        unbook: async (_output, ctx) => {
          await untilAborted(ctx.signal).catch((reason: unknown) => reasons.push(reason));
        },
      },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    const events = collectEvents(orch, ['compensation.failed']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'book', compensation: 'unbook', timeout: 2 },
      { name: 'boom' },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));

    const message = "Compensation of step 'book' timed out after 2s";
    expect(status.steps[0]).toMatchObject({ status: 'completed' });
    expect(status.steps[0]?.compensation).toMatchObject({
      status: 'failed',
      error: { code: 'STEP_TIMEOUT', message, step: 'book' },
    });
    expect(events.of('compensation.failed')).toEqual([
      expect.objectContaining({ error: { code: 'STEP_TIMEOUT', message, step: 'book' }, final: true }),
    ]);
    expect(alerts.find((a) => a.type === 'compensation_failure')?.message).toContain(`failed: ${message}`);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(StepTimeoutError);
    expect((reasons[0] as Error).message).toBe(message);
  });

  it("leaves a step's own timeout named as the step's", async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      actions: { slow: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow', timeout: 1 }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.error).toEqual({
      code: 'STEP_TIMEOUT',
      message: "Step 'slow' timed out after 1s",
      step: 'slow',
    });
  });
});
