/**
 * An alert's message shows the figure that passed its threshold so that the two differ: a rate of
 * 34 % over a threshold of 33.5 % read "34% (threshold 34%)", and an execution of 1000.4 ms over a
 * 1000 ms threshold "took 1000 ms (threshold 1000 ms)", as if there were no reason to alert.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/index.js';
import { type Alert, AlertMonitor } from '../../../src/monitoring/alerts.js';
import { overThresholdText } from '../../../src/monitoring/over-threshold-text.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function monitor(alerts: Alert[], config: { failureRate: number; executionTimeMs: number }) {
  return new AlertMonitor(
    { ...config, minSamples: 50, imbalanceThreshold: 0.3, imbalanceMinActive: 10, cooldown: 60 },
    new FakeClock(),
    silent as never,
    (alert) => alerts.push(alert),
  );
}

describe('alert messages', () => {
  it('a failure rate just over its threshold is written with the decimals that show it', () => {
    const alerts: Alert[] = [];
    const mon = monitor(alerts, { failureRate: 0.335, executionTimeMs: 1e9 });
    // 17 failed of 50: 34 %.
    for (let i = 0; i < 50; i++) mon.onExecutionFinished('wf', `e${i}`, 1, i < 17);
    expect(alerts.map((a) => a.message)).toEqual([
      "Failure rate of 'wf' is 34.0% over its last executions (threshold 33.5%)",
    ]);
  });

  it('a rate and a threshold that differ in whole percents are written as before', () => {
    const alerts: Alert[] = [];
    const mon = monitor(alerts, { failureRate: 0.3, executionTimeMs: 1e9 });
    for (let i = 0; i < 50; i++) mon.onExecutionFinished('wf', `e${i}`, 1, i < 20);
    expect(alerts.map((a) => a.message)).toEqual([
      "Failure rate of 'wf' is 40% over its last executions (threshold 30%)",
    ]);
  });

  it('an execution time just over its threshold', () => {
    const alerts: Alert[] = [];
    const mon = monitor(alerts, { failureRate: 1, executionTimeMs: 1000 });
    mon.onExecutionFinished('wf', 'e1', 1000.4, false);
    mon.onExecutionFinished('wf2', 'e2', 1500, false);
    expect(alerts.map((a) => a.message)).toEqual([
      "Execution e1 of 'wf' took 1000.4 ms (threshold 1000.0 ms)",
      "Execution e2 of 'wf2' took 1500 ms (threshold 1000 ms)",
    ]);
  });

  it('overThresholdText adds decimals only while the two print alike, up to six more', () => {
    expect(overThresholdText(33.4, 33.3, 0)).toEqual(['33.4', '33.3']);
    expect(overThresholdText(40, 30, 0)).toEqual(['40', '30']);
    expect(overThresholdText(1 + 1e-9, 1, 0)).toEqual(['1.000000', '1.000000']);
    expect(overThresholdText(2, 2, 1)).toEqual(['2.0', '2.0']);
  });
});
