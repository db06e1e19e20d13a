/**
 * A compensation that failed and waits for its retry shows when its next attempt starts, as a
 * step waiting for its retry does (`nextAttemptAt` in the status, `retryAt` and `delayMs` on the
 * event): before, its status had no time at all, though the store kept it.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import {
  collectEvents,
  finishWithClock,
  STORE_KINDS,
  storeUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('a compensation waiting for its retry (%s store)', (kind) => {
  it('shows nextAttemptAt in the status and retryAt, delayMs on compensation.failed', async () => {
    const clock = new FakeClock();
    const undoTimes: number[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: {
        book: () => 'booked',
        boom: () => {
          throw new Error('out of stock');
        },
      },
      compensations: {
        unbook: () => {
          undoTimes.push(clock.now());
          if (undoTimes.length === 1) throw new Error('booking service busy');
          return 'unbooked';
        },
      },
    });
    const events = collectEvents(orch, ['compensation.failed']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'book', compensation: 'unbook' },
      { name: 'boom' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(500);
    expect(undoTimes).toHaveLength(1);
    const failedAt = undoTimes[0] as number;

    const mid = await orch.workflowEngine.getExecutionStatus(id);
    expect(mid?.status).toBe('compensating');
    expect(mid?.steps[0]?.compensation).toMatchObject({
      status: 'running',
      attempts: 1,
      error: { code: 'STEP_FAILED', message: 'booking service busy' },
    });
    expect(mid?.steps[0]?.compensation?.nextAttemptAt?.getTime()).toBe(failedAt + 1000);
    expect(events.of('compensation.failed')).toEqual([
      expect.objectContaining({
        attempt: 1,
        final: false,
        retryAt: new Date(failedAt + 1000),
        delayMs: 1000,
      }),
    ]);

    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('failed');
    expect(undoTimes).toEqual([failedAt, failedAt + 1000]);
    expect(status.steps[0]?.compensation).toMatchObject({ status: 'completed', attempts: 2 });
    expect(status.steps[0]?.compensation).not.toHaveProperty('nextAttemptAt');
  });

  it('gives a compensation that failed for good no next attempt', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      retryAttempts: 0,
      actions: {
        book: () => 'booked',
        boom: () => {
          throw new Error('out of stock');
        },
      },
      compensations: {
        unbook: () => {
          throw new Error('booking service busy');
        },
      },
    });
    const events = collectEvents(orch, ['compensation.failed']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'book', compensation: 'unbook' },
      { name: 'boom' },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.steps[0]?.compensation).toMatchObject({ status: 'failed', attempts: 1 });
    expect(status.steps[0]?.compensation).not.toHaveProperty('nextAttemptAt');
    const [failed] = events.of('compensation.failed');
    expect(failed).toMatchObject({ final: true });
    expect(failed).not.toHaveProperty('retryAt');
    expect(failed).not.toHaveProperty('delayMs');
  });
});
