/**
 * The alert monitor's memory stays bounded with many workflows, without losing what matters: a
 * workflow that keeps failing still raises its failure-rate alert when a thousand others pass
 * through, and cooldowns still hold for the alerts fired most recently.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/index.js';
import { type Alert, AlertMonitor } from '../../../src/monitoring/alerts.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function monitor(clock: FakeClock, alerts: Alert[]) {
  return new AlertMonitor(
    {
      executionTimeMs: 10,
      failureRate: 0.5,
      minSamples: 5,
      imbalanceThreshold: 0.3,
      imbalanceMinActive: 10,
      cooldown: 60,
    },
    clock,
    silent as never,
    (alert) => alerts.push(alert),
  );
}

describe('AlertMonitor with many workflows', () => {
  it('keeps at most a thousand cooldowns, and the recent ones still hold', () => {
    const clock = new FakeClock();
    const alerts: Alert[] = [];
    const mon = monitor(clock, alerts);
    for (let i = 0; i < 5000; i++) mon.onExecutionFinished(`wf_${i}`, `e_${i}`, 100, false);
    expect(alerts).toHaveLength(5000);
    expect((mon as unknown as { lastFired: Map<string, number> }).lastFired.size).toBeLessThanOrEqual(1000);
    // The newest workflow is still in its cooldown.
    mon.onExecutionFinished('wf_4999', 'again', 100, false);
    expect(alerts).toHaveLength(5000);
  });

  it("a failing workflow's outcome window survives while a thousand others pass through", () => {
    const clock = new FakeClock();
    const alerts: Alert[] = [];
    const mon = monitor(clock, alerts);
    const others = (from: number) => {
      for (let i = from; i < from + 600; i++) mon.onExecutionFinished(`other_${i}`, `o_${i}`, 1, false);
    };
    mon.onExecutionFinished('failing', 'f_0', 1, true);
    mon.onExecutionFinished('failing', 'f_1', 1, true);
    others(0);
    mon.onExecutionFinished('failing', 'f_2', 1, true);
    mon.onExecutionFinished('failing', 'f_3', 1, true);
    others(600);
    // The fifth failure reaches minSamples: its window still holds the first four.
    mon.onExecutionFinished('failing', 'f_4', 1, true);
    expect(alerts.filter((a) => a.type === 'failure_rate').map((a) => a.workflowId)).toEqual(['failing']);
  });
});

describe('AlertMonitor.checkRunning', () => {
  it('alerts a run over the threshold once, forgets runs that left, and skips the alert at its end', async () => {
    const clock = new FakeClock();
    const alerts: Alert[] = [];
    const mon = monitor(clock, alerts);
    const run = (id: string, startedAt: number | null) => ({ workflowId: 'w', executionId: id, startedAt });
    mon.checkRunning(5, [run('a', 0), run('q', null)]);
    mon.checkRunning(10, [run('a', 0), run('q', null)]); // at the threshold, not over it
    expect(alerts).toEqual([]);
    mon.checkRunning(20, [run('a', 0), run('q', null)]);
    expect(alerts.map((a) => [a.executionId, a.value])).toEqual([['a', 20]]);
    await clock.advance(120_000);
    mon.checkRunning(40, [run('a', 0)]);
    expect(alerts).toHaveLength(1);
    mon.onExecutionFinished('w', 'a', 50, false);
    expect(alerts).toHaveLength(1);
    // 'b' was alerted, then left this node without ending here: forgotten, so a later run of the
    // same id (taken back) can be alerted again.
    await clock.advance(120_000);
    mon.checkRunning(100, [run('b', 0)]);
    mon.checkRunning(101, []);
    await clock.advance(120_000);
    mon.checkRunning(200, [run('b', 150)]);
    expect(alerts.map((a) => a.executionId)).toEqual(['a', 'b', 'b']);
  });
});

describe('AlertMonitor cooldowns by kind', () => {
  it('holds a repeated execution_time alert of a workflow back, never a compensation failure', () => {
    const clock = new FakeClock();
    const alerts: Alert[] = [];
    const mon = monitor(clock, alerts);
    mon.onExecutionFinished('w', 'e1', 100, false);
    mon.onExecutionFinished('w', 'e2', 100, false);
    mon.onExecutionFinished('other', 'e3', 100, false);
    expect(alerts.map((a) => a.executionId)).toEqual(['e1', 'e3']);
    // Each compensation that failed for good matters: none is held back, even the same step's.
    mon.onCompensationFailed('w', 'e4', 'refund', 'down');
    mon.onCompensationFailed('w', 'e5', 'refund', 'down');
    mon.onCompensationFailed('w', 'e5', 'refund', 'down');
    expect(alerts.filter((a) => a.type === 'compensation_failure').map((a) => a.executionId)).toEqual([
      'e4',
      'e5',
      'e5',
    ]);
  });
});

describe('AlertMonitor copies', () => {
  it('hands listeners and getRecent() copies: changing one changes no kept alert', () => {
    const clock = new FakeClock();
    const alerts: Alert[] = [];
    const mon = monitor(clock, alerts);
    mon.onExecutionFinished('w', 'e1', 100, false);
    const heard = alerts[0]!;
    heard.message = 'scribbled';
    heard.at.setTime(0);
    const [kept] = mon.getRecent();
    expect(kept?.message).toMatch(/^Execution e1 of 'w' took 100 ms/);
    expect(kept?.at.getTime()).toBe(clock.now());
    kept!.message = 'again';
    expect(mon.getRecent()[0]?.message).toMatch(/^Execution e1/);
  });
});

describe('AlertMonitor cooldowns when the system clock is stepped back', () => {
  it('do not silence an alert for the size of the step', () => {
    let now = Date.UTC(2026, 0, 2);
    const clock = { now: () => now, setTimer: () => ({ cancel() {} }), sleep: async () => {} };
    const alerts: Alert[] = [];
    const mon = new AlertMonitor(
      {
        executionTimeMs: 10,
        failureRate: 0.5,
        minSamples: 5,
        imbalanceThreshold: 0.3,
        imbalanceMinActive: 10,
        cooldown: 60,
      },
      clock,
      silent as never,
      (alert) => alerts.push(alert),
    );
    mon.onExecutionFinished('wf', 'e_1', 100, false);
    expect(alerts).toHaveLength(1);
    now += 30_000;
    mon.onExecutionFinished('wf', 'e_2', 100, false); // within the cooldown
    expect(alerts).toHaveLength(1);
    now -= 86_400_000; // an NTP step back of a day
    mon.onExecutionFinished('wf', 'e_3', 100, false);
    expect(alerts).toHaveLength(2);
    // The cooldown counts again from that alert.
    now += 30_000;
    mon.onExecutionFinished('wf', 'e_4', 100, false);
    expect(alerts).toHaveLength(2);
    now += 31_000;
    mon.onExecutionFinished('wf', 'e_5', 100, false);
    expect(alerts).toHaveLength(3);
  });
});

describe('AlertMonitor.checkRunning with runs of one workflow within a cooldown', () => {
  it('alerts a stuck run held back by the cooldown once the cooldown ends, not never', async () => {
    const clock = new FakeClock();
    const alerts: Alert[] = [];
    const mon = monitor(clock, alerts);
    const run = (id: string) => ({ workflowId: 'w', executionId: id, startedAt: 0 });
    mon.checkRunning(20, [run('a'), run('b')]);
    // The workflow's execution_time alert fired for 'a': 'b' waits for the cooldown to end.
    expect(alerts.map((a) => a.executionId)).toEqual(['a']);
    await clock.advance(30_000);
    mon.checkRunning(30_020, [run('a'), run('b')]);
    expect(alerts.map((a) => a.executionId)).toEqual(['a']);
    await clock.advance(31_000);
    mon.checkRunning(61_020, [run('a'), run('b')]);
    mon.checkRunning(61_520, [run('a'), run('b')]);
    expect(alerts.map((a) => a.executionId)).toEqual(['a', 'b']);
    // Alerted while it ran: not again as it ends.
    await clock.advance(61_000);
    mon.onExecutionFinished('w', 'b', 200_000, false);
    expect(alerts.map((a) => a.executionId)).toEqual(['a', 'b']);
  });

  it('alerts a run held back while it ran as it ends, once the cooldown is over', async () => {
    const clock = new FakeClock();
    const alerts: Alert[] = [];
    const mon = monitor(clock, alerts);
    const run = (id: string) => ({ workflowId: 'w', executionId: id, startedAt: 0 });
    mon.checkRunning(20, [run('a'), run('b')]);
    await clock.advance(61_000);
    mon.onExecutionFinished('w', 'b', 61_000, false);
    expect(alerts.map((a) => [a.executionId, a.message.includes('took')])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });
});
