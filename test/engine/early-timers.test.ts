/**
 * Stored absolute times are waited for in full (SPEC §6) even when the clock's timers fire a
 * little early by its `now()`, as Node's do: they run on a monotonic millisecond clock that rounds
 * differently from `Date.now()`, so a timer can fire up to a millisecond before `Date.now()`
 * reached its due time. A retry must not start before its `retryAt`, a `delay` step must not end
 * before its `timerAt`, a workflow must not time out before its deadline.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type TimerHandle } from '../../src/index.js';
import { finishWithClock, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

/** A clock whose timers of more than 1 ms fire 1 ms before their due time (as Node's may, by Date.now()). */
class EarlyClock extends FakeClock {
  override setTimer(fn: () => void, ms: number): TimerHandle {
    return super.setTimer(fn, ms > 1 ? ms - 1 : ms);
  }
}

describe('timers that fire early', () => {
  it('do not start a retry, end a delay or time a workflow out before the stored time', async () => {
    const clock = new EarlyClock();
    let runs = 0;
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      clock,
      actions: {
        flaky: () => {
          if (++runs < 3) throw new Error('not yet');
          return 'ok';
        },
        hang: (_input, ctx) => untilAborted(ctx.signal),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'flaky', retry: { maxAttempts: 3, initialDelay: 0.5 } },
      { name: 'wait', action: 'delay', input: "{'seconds': 0.3}" },
    ]);
    await orch.workflowEngine.defineWorkflow('slow', [{ name: 'hang' }], { timeout: 2 });
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { stepMs: 1 });
    expect(status.status).toBe('completed');
    const [flaky, wait] = status.steps;
    expect(flaky!.attempts).toBe(3);
    const history = flaky!.history!;
    for (let i = 1; i < history.length; i++) {
      expect(history[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(history[i - 1]!.retryAt!.getTime());
    }
    expect(wait!.completedAt!.getTime() - wait!.startedAt!.getTime()).toBeGreaterThanOrEqual(300);

    const slow = await orch.workflowEngine.executeWorkflow('slow');
    const timedOut = await finishWithClock(orch, clock, slow, { stepMs: 1 });
    expect(timedOut.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(timedOut.completedAt!.getTime() - timedOut.startedAt.getTime()).toBeGreaterThanOrEqual(2000);
  });
});
