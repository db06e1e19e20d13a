/**
 * The load_imbalance alert carries the figure its threshold is compared with, as the other
 * threshold alerts do (`value` beside `threshold`): the largest deviation of a worker's load from
 * the mean, as a fraction of the mean (what `isBalanced(threshold)` compares). A webhook receiver
 * or listener could not tell how unbalanced the load was without parsing the message.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/index.js';
import { type Alert, AlertMonitor } from '../../../src/monitoring/alerts.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function monitor(alerts: Alert[]): AlertMonitor {
  return new AlertMonitor(
    {
      executionTimeMs: 10,
      failureRate: 0.5,
      minSamples: 5,
      imbalanceThreshold: 0.3,
      imbalanceMinActive: 10,
      cooldown: 60,
    },
    new FakeClock(),
    silent as never,
    (alert) => alerts.push(alert),
  );
}

describe('load_imbalance alert payload', () => {
  it('gives the largest deviation from the mean load, as a fraction of the mean, beside the threshold', () => {
    const alerts: Alert[] = [];
    // Mean 4: w1 is 8 over it, twice the mean.
    monitor(alerts).checkBalance(false, 12, { w1: 12, w2: 0, w3: 0 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'load_imbalance', value: 2, threshold: 0.3 });
  });

  it('measures an idle worker among busy ones too (below the mean)', () => {
    const alerts: Alert[] = [];
    // Mean 8: w3 is 8 under it, the mean itself.
    monitor(alerts).checkBalance(false, 24, { w1: 12, w2: 12, w3: 0 });
    expect(alerts[0]).toMatchObject({ type: 'load_imbalance', value: 1, threshold: 0.3 });
  });

  it('is exact where the mean is not (10 over 3 workers: 2, not 1.9999999999999998)', () => {
    const alerts: Alert[] = [];
    monitor(alerts).checkBalance(false, 10, { w1: 10, w2: 0, w3: 0 });
    expect(alerts[0]?.value).toBe(2);
  });
});
