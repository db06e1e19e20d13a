/**
 * `orchestrator workers` and `orchestrator metrics` on the store of a cluster give the load the
 * nodes' balancers use (`GET /v1/workers`, `getMetrics().loadDistribution`, the `load_imbalance`
 * alert): a node's load is the unfinished executions it holds, queued ones too (docs/scaling.md,
 * "Placement and balancing"). They counted only running and compensating executions by their
 * stored worker, so a node running 1 execution with 3 more queued read 1 where the nodes read 4:
 * beside an idle node `workers` gave a balance score of 1 ("as even as whole executions allow")
 * where the nodes gave 0, and `metrics` left the idle node out. Two orchestrators in cluster mode
 * share one SQLite file; node-b has no handler for the workflow, so nothing is placed on it, but
 * it is a live node and so one of the workers.
 */
import { describe, expect, it } from 'vitest';
import type { Orchestrator } from '../../src/index.js';
import { tempSqliteUrl, until, withOrchestrator } from '../helpers/orchestrator.js';
import { cli, parseJson } from './fixtures/cli-harness.js';

/** What the balancer of `orch` says of the cluster's load. */
function live(orch: Orchestrator) {
  return {
    loadDistribution: orch.loadBalancer.getLoadDistribution(),
    balanced: orch.loadBalancer.isBalanced(),
    balanceScore: orch.loadBalancer.balanceScore(),
  };
}

describe('orchestrator workers and metrics on a cluster', () => {
  it("count the executions a node holds queued, as the nodes' balancers do", async () => {
    const store = tempSqliteUrl();
    const releases: (() => void)[] = [];
    const common = { store, cluster: true, sweepInterval: 0.05 } as const;
    const a = await withOrchestrator({
      ...common,
      nodeId: 'node-a',
      maxConcurrentWorkflows: 1,
      actions: { block: () => new Promise<void>((resolve) => releases.push(resolve)) },
    });
    const b = await withOrchestrator({ ...common, nodeId: 'node-b' });
    await a.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    await until(() => a.loadBalancer.getWorkers().includes('node-b'));
    for (let i = 0; i < 4; i++) await a.workflowEngine.executeWorkflow('w');
    await until(() => releases.length === 1 && a.getLocalLoad().queued === 3);
    await until(() => b.loadBalancer.getLoad('node-a') === 4);
    const nodes = { loadDistribution: { 'node-a': 4, 'node-b': 0 }, balanced: false, balanceScore: 0 };
    expect(live(a)).toEqual(nodes);
    expect(live(b)).toEqual(nodes);

    const [workers, metrics] = await Promise.all([
      cli(['workers', '--store', store, '--json']),
      cli(['metrics', '--store', store, '--json']),
    ]);
    expect(workers.code, workers.stderr).toBe(0);
    const report = parseJson<Record<string, unknown>>(workers.stdout);
    expect(report).toMatchObject({
      ...nodes,
      workers: [
        { id: 'node-a', active: 4, source: 'node' },
        { id: 'node-b', active: 0, source: 'node' },
      ],
    });
    expect(metrics.code, metrics.stderr).toBe(0);
    expect(parseJson<Record<string, unknown>>(metrics.stdout).loadDistribution).toEqual(
      nodes.loadDistribution,
    );
    for (const release of releases.splice(0)) release();
  });
});
