/**
 * The `failure_rate` alert in a cluster is about the executions each node ran (docs/scaling.md,
 * "The other alerts are about this node's executions"): a node whose executions fail raises it;
 * a node whose executions succeed does not, though the cluster's executions together fail more
 * often than `alerts.failureRate`. Two nodes on one fresh schema, one ingress: node-a's handler
 * fails, node-b's succeeds, so where an execution ran decides how it ends.
 */
import { describe, expect, it } from 'vitest';
import type { Alert, Orchestrator } from '../../src/index.js';
import { decliningPair, payFrom } from './declining-pair.js';
import { perTest } from './per-test.js';

const t = perTest();
const N = 40;
const IN_FLIGHT = 8;
const MIN_SAMPLES = 3;

describe('failure_rate in a cluster', () => {
  it("is judged per node, over the executions that node ran, not the cluster's", async () => {
    // The cluster's rate (a fifth to a quarter failed in runs) is over 0.1; node-b's own (none) is not.
    const { a, b } = await decliningPair(t, {
      alerts: { failureRate: 0.1, minSamples: MIN_SAMPLES, cooldown: 60 },
    });
    const rates = (orch: Orchestrator) => {
      const seen: Alert[] = [];
      orch.on('alert', (alert) => {
        if (alert.type === 'failure_rate') seen.push(alert);
      });
      return seen;
    };
    const aRates = rates(a);
    const bRates = rates(b);
    const ran = await payFrom(a, N, IN_FLIGHT);

    // Where an execution ran decided its end, and both nodes ran enough to be judged.
    expect(ran['node-a']?.completed).toBe(0);
    expect(ran['node-b']?.failed).toBe(0);
    expect(ran['node-a']?.failed).toBeGreaterThanOrEqual(MIN_SAMPLES);
    expect(ran['node-b']?.completed).toBeGreaterThanOrEqual(MIN_SAMPLES);
    expect((ran['node-a']?.failed ?? 0) + (ran['node-b']?.completed ?? 0)).toBe(N);

    expect(aRates.map((r) => [r.workflowId, r.value])).toEqual([['pay', 1]]);
    expect(bRates).toEqual([]);
  }, 60_000);
});
