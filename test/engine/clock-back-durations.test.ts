/**
 * A system clock set back while an execution runs (an NTP correction, a VM resumed) must not
 * give negative durations: a step's, an attempt's, an execution's, in the status, the events and
 * the CLI's figures read from the store. What cannot be measured is reported as 0.
 */
import { describe, expect, it } from 'vitest';
import { executionDuration } from '../../src/cli/render-status.js';
import { FakeClock } from '../../src/index.js';
import {
  collectEvents,
  finishWithClock,
  STORE_KINDS,
  storeUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** A FakeClock whose reading the test can set back (its timers keep their own time line). */
class SteppedBackClock extends FakeClock {
  offset = 0;
  override now(): number {
    return super.now() + this.offset;
  }
}

describe.each(STORE_KINDS)('durations when the clock is set back (%s store)', (kind) => {
  it('are never negative in the status, the events or the metrics', async () => {
    const clock = new SteppedBackClock();
    let runs = 0;
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      actions: {
        // The first attempt fails after the clock is set back a minute; the retry succeeds.
        a: async () => {
          await clock.sleep(1_000);
          if (++runs === 1) {
            clock.offset -= 60_000;
            throw new Error('transient');
          }
          return 'ok';
        },
        b: () => 'b',
      },
      compensations: {},
    });
    const events = collectEvents(orch, ['step.failed', 'step.completed', 'execution.completed']);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', retry: true }, { name: 'b' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('completed');

    const durations = [
      ...status.steps.map((s) => s.durationMs),
      ...status.steps.flatMap((s) => (s.history ?? []).map((h) => h.durationMs)),
      ...events.all.map((e) => (e.payload as { durationMs?: number }).durationMs),
      executionDuration(status),
      orch.getMetrics('w').avgExecutionMs,
    ];
    for (const d of durations) expect(d ?? 0).toBeGreaterThanOrEqual(0);
    // The first attempt ended before it began by the clock: 0, not -59 s.
    expect(status.steps[0]?.history?.[0]?.durationMs).toBe(0);
    expect(events.all.find((e) => e.event === 'step.failed')?.payload).toMatchObject({ durationMs: 0 });
  });
});
