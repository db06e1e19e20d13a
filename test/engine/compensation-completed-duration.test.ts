/**
 * `compensation.completed`'s `durationMs` is the compensation's whole time, from its first attempt,
 * retry waits included — as `step.completed`'s for a step, and as the optimizer's compensation time
 * (`getStepStats().compensationAvg`) counts it. Before, it was the last attempt's alone, so the
 * event and the optimizer gave two different times for one compensation.
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

describe.each(STORE_KINDS)('compensation.completed after a retry (%s store)', (kind) => {
  it('carries the whole compensation time, as the optimizer counts it', async () => {
    const clock = new FakeClock();
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
        unbook: async (_output, ctx) => {
          await clock.sleep(ctx.attempt === 1 ? 300 : 200);
          if (ctx.attempt === 1) throw new Error('booking service busy');
        },
      },
    });
    const events = collectEvents(orch, ['compensation.completed']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'book', compensation: 'unbook' },
      { name: 'boom' },
    ]);
    await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'), { stepMs: 50 });
    // 300 ms (failed), 1 s backoff, 200 ms (completed).
    expect(events.of('compensation.completed')).toEqual([
      expect.objectContaining({ step: 'book', attempt: 2, durationMs: 1500 }),
    ]);
    expect(orch.performanceOptimizer.getStepStats('w').book?.compensationAvg).toBe(1500);
  });
});
