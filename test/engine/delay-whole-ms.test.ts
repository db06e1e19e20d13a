/**
 * The built-in `delay` action's timer is set in whole milliseconds, as every other timer of the
 * engine (a retry's backoff: `nextRetryDelayMs`): `seconds: 0.0014` stored a timer due 1.4 ms after
 * the start and set clock timers of fractional lengths. It is rounded up, so that a delay never ends
 * before the time asked for; a float product just above a whole millisecond (2.007 s × 1000 =
 * 2007.0000000000002) is that millisecond, not the next.
 */
import { describe, expect, it } from 'vitest';
import { delayMs } from '../../src/engine/action-step.js';
import { FakeClock, type TimerHandle } from '../../src/index.js';
import { finishWithClock, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

/** A fake clock that records the length of every timer set on it. */
class RecordingClock extends FakeClock {
  readonly lengths: number[] = [];
  override setTimer(fn: () => void, ms: number): TimerHandle {
    this.lengths.push(ms);
    return super.setTimer(fn, ms);
  }
}

describe.each(STORE_KINDS)("the 'delay' action's timer (%s store)", (kind) => {
  it.each([
    [0.0014, 2],
    [0.0015, 2],
    [0.002, 2],
    [2.007, 2007],
    [0.0001, 1],
    [0, 0],
  ])('waits %s s as %i whole ms, never less', async (seconds, expectedMs) => {
    const clock = new RecordingClock();
    const orch = await withOrchestrator({ store: storeUrl(kind), clock });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait', action: 'delay' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', { seconds });
    const status = await finishWithClock(orch, clock, id, { stepMs: 1 });
    expect(status.status).toBe('completed');
    const step = status.steps[0]!;
    expect(step.completedAt!.getTime() - step.startedAt!.getTime()).toBe(expectedMs);
    expect(clock.lengths.filter((ms) => !Number.isInteger(ms))).toEqual([]);
  });
});

describe('delayMs', () => {
  it('gives every whole number of milliseconds, written in seconds, as itself', () => {
    const off: number[] = [];
    for (let n = 0; n <= 200_000; n++) if (delayMs(n / 1000) !== n) off.push(n);
    expect(off).toEqual([]);
    expect(delayMs(2.007)).toBe(2007);
    expect(delayMs(86_400.001)).toBe(86_400_001);
  });

  it('rounds a fraction of a millisecond up', () => {
    expect([0.0000001, 0.0014, 0.0015, 0.0019, 1.0001, 86_400.0005].map(delayMs)).toEqual([
      1, 2, 2, 2, 1001, 86_400_001,
    ]);
  });
});
