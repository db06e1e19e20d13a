/**
 * A compensation running its retry shows no error: the error of the attempt before belongs to the
 * retry wait (with `nextAttemptAt`), as for a step running its retry, and a consumer of the status
 * (or the dashboard's timeline, which appends the error to a running bar) does not take the running
 * attempt for a failed one.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { finishWithClock, gate, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('a compensation running its retry (%s store)', (kind) => {
  it('shows no error of the attempt before while it runs, as a step running its retry', async () => {
    const clock = new FakeClock();
    const inRetry = gate();
    const release = gate();
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
          if (ctx.attempt === 1) throw new Error('booking service busy');
          inRetry.open();
          await release.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'book', compensation: 'unbook' },
      { name: 'boom' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(500);
    const waiting = await orch.workflowEngine.getExecutionStatus(id);
    // Waiting for its retry: the failure it waits after, and when the retry starts.
    expect(waiting?.steps[0]?.compensation).toMatchObject({
      status: 'running',
      attempts: 1,
      error: { code: 'STEP_FAILED', message: 'booking service busy' },
    });
    expect(waiting?.steps[0]?.compensation?.nextAttemptAt).toBeInstanceOf(Date);

    await clock.advance(1000);
    await inRetry.promise;
    const running = await orch.workflowEngine.getExecutionStatus(id);
    expect(running?.steps[0]?.compensation).toMatchObject({ status: 'running', attempts: 2 });
    expect(running?.steps[0]?.compensation).not.toHaveProperty('error');
    expect(running?.steps[0]?.compensation).not.toHaveProperty('nextAttemptAt');

    release.open();
    const status = await finishWithClock(orch, clock, id);
    expect(status.steps[0]?.compensation).toMatchObject({ status: 'completed', attempts: 2 });
  });
});
