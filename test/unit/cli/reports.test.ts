import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DURATION_SAMPLE,
  durationStats,
  metricsFromAggregates,
  recentDurations,
  workersReport,
} from '../../../src/cli/reports.js';
import { StoreClient } from '../../../src/cli/store-client.js';
import { claimOnly } from '../../../src/cli/takeover.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { makeExecution, makeStep } from '../../store/records.js';

let client: StoreClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

describe('metricsFromAggregates', () => {
  it('computes the SPEC rates from stored counts', () => {
    const m = metricsFromAggregates({
      byStatus: { pending: 1, running: 2, compensating: 0, completed: 6, failed: 1, cancelled: 1 },
      compensated: 2,
      stepsRun: 40,
      stepsRetried: 4,
    });
    expect(m.executions.total).toBe(11);
    expect(m.successRate).toBeCloseTo(0.75);
    expect(m.compensationRate).toBeCloseTo(0.25);
    expect(m.retryRate).toBeCloseTo(0.1);
  });

  it('carries the steps run the retry rate divides by, as getMetrics() does', () => {
    const byStatus = { pending: 0, running: 1, compensating: 0, completed: 3, failed: 0, cancelled: 0 };
    const m = metricsFromAggregates({ byStatus, compensated: 0, stepsRun: 8, stepsRetried: 2 });
    expect(m.stepsRun).toBe(8);
    expect(m.retryRate).toBeCloseTo(2 / 8);
  });

  it('gives zero rates when nothing finished', () => {
    const zero = { pending: 0, running: 0, compensating: 0, completed: 0, failed: 0, cancelled: 0 };
    expect(
      metricsFromAggregates({ byStatus: zero, compensated: 0, stepsRun: 0, stepsRetried: 0 }),
    ).toMatchObject({
      successRate: 0,
      retryRate: 0,
      compensationRate: 0,
    });
  });
});

describe('durationStats', () => {
  it('averages and takes the nearest-rank p95', () => {
    const d = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(durationStats(d)).toEqual({ count: 100, avgMs: 50.5, p95Ms: 95 });
    expect(durationStats([])).toEqual({ count: 0, avgMs: 0, p95Ms: 0 });
  });
});

describe('recentDurations', () => {
  it('counts the executions that ran, not the queue time of one that ended while still queued', async () => {
    client = await StoreClient.open('memory');
    await client.store.createExecution(
      makeExecution({ status: 'completed', createdAt: 0, startedAt: 100, completedAt: 400 }),
    );
    // Cancelled (or timed out) while pending: it never started, so it ran for no time at all (as
    // a live orchestrator's metrics and alerts have it).
    await client.store.createExecution(
      makeExecution({ status: 'cancelled', createdAt: 0, startedAt: null, completedAt: 60_000 }),
    );
    await client.store.createExecution(
      makeExecution({ status: 'failed', createdAt: 0, startedAt: null, completedAt: 90_000 }),
    );
    expect(await recentDurations(client)).toEqual([300]);
  });

  it(`takes the newest ${DURATION_SAMPLE} finished executions whatever their state, not ${DURATION_SAMPLE} of each`, async () => {
    client = await StoreClient.open('memory');
    // An old failure, then a full sample of newer completions: `metrics` says its p95 is 'over the
    // 500 latest finished executions', which the old failure is not one of.
    await client.store.createExecution(
      makeExecution({ status: 'failed', createdAt: 1, startedAt: 1, completedAt: 90_001 }),
    );
    for (let i = 0; i < DURATION_SAMPLE; i++) {
      const at = 1_000 + i;
      await client.store.createExecution(
        makeExecution({ status: 'completed', createdAt: at, startedAt: at, completedAt: at + 100 }),
      );
    }
    const durations = await recentDurations(client);
    expect(durations).toHaveLength(DURATION_SAMPLE);
    expect(Math.max(...durations)).toBe(100);
  });
});

describe('StoreClient and workersReport', () => {
  it('builds statuses from stored records and plans, and lists with totals', async () => {
    client = await StoreClient.open('memory');
    const store = client.store;
    await store.saveDefinition({
      id: 'wf',
      version: 1,
      steps: [{ name: 'a' }, { name: 'b' }],
      options: {},
      createdAt: 1,
    });
    const done = makeExecution({
      status: 'completed',
      startedAt: 1000,
      completedAt: 1500,
      workerId: 'worker_1',
    });
    await store.createExecution(done, [
      makeStep(done.id, 'a', { status: 'completed', attempts: 1, output: { x: 1 } }),
    ]);
    await store.createExecution(
      makeExecution({ status: 'running', workerId: 'worker_9', owner: 'nobody/1/x', leaseUntil: 5 }),
    );
    const status = await client.getStatus(done.id);
    expect(status).toMatchObject({ totalSteps: 2, stepsCompleted: 1, outputData: { a: { x: 1 } } });
    expect(status?.steps.map((s) => s.status)).toEqual(['completed', 'skipped']);
    expect(await client.getStatus('nope')).toBeNull();
    const listed = await client.list({ limit: 1 });
    expect(listed.total).toBe(2);
    expect(listed.executions).toHaveLength(1);
    expect(await client.workflowIds()).toEqual(['wf']);

    const report = await workersReport(client, 10);
    expect(report.loadDistribution).toEqual({ worker_1: 0, worker_9: 1 });
    // As GET /v1/workers: 1-0 is as even as one execution gets (score 1), yet not within 30% of the mean.
    expect(report).toMatchObject({ balanceScore: 1, balanced: false, threshold: 0.3 });
    expect(report.workers).toEqual([
      { id: 'worker_1', active: 0, configured: true, source: 'configured' },
      { id: 'worker_9', active: 1, configured: false, source: 'seen' },
    ]);
    expect(report.nodes).toEqual([
      {
        id: 'nobody/1/x',
        state: 'stale',
        lastHeartbeat: null,
        startedAt: null,
        running: null,
        queued: null,
        capacity: null,
        leaseSeconds: 30,
        executions: 1,
        leaseUntil: 5,
        registered: false,
      },
    ]);
  });

  it('reads statuses of a workflow one of whose versions a newer release defined', async () => {
    client = await StoreClient.open('memory');
    const store = client.store;
    await store.saveDefinition({ id: 'wf', version: 1, steps: [{ name: 'a' }], options: {}, createdAt: 1 });
    // An expression function this release does not know: the version cannot be compiled here.
    const steps = [{ name: 'a', input: 'newFunction(input)' }, { name: 'b' }];
    await store.saveDefinition({ id: 'wf', version: 2, steps, options: {}, createdAt: 2 });
    const v1 = makeExecution({ status: 'running', workflowVersion: 1 });
    const v2 = makeExecution({ status: 'running', workflowVersion: 2 });
    await store.createExecution(v1);
    await store.createExecution(v2);
    expect(await client.getStatus(v1.id)).toMatchObject({ workflowVersion: 1, totalSteps: 1 });
    expect(await client.getStatus(v2.id)).toMatchObject({ workflowVersion: 2, status: 'running' });
    expect((await client.list({ limit: 10 })).total).toBe(2);
  });

  it('lists the node registry with load, heartbeat and state, on a SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-workers-'));
    try {
      client = await StoreClient.open(`sqlite:${join(dir, 'store.sqlite')}`, { create: true });
      const store = client.store;
      const now = 1_000_000;
      const node = (id: string, lastHeartbeat: number, running: number, queued: number) =>
        store.heartbeat({
          id,
          startedAt: lastHeartbeat - 500,
          lastHeartbeat,
          running,
          queued,
          capacity: 100,
          info: { pid: 1, cluster: false, leaseSeconds: 2 },
        });
      await node('host/1/fresh', now - 1_000, 3, 1);
      await node('host/2/old', now - 5_000, 2, 0);
      await store.createExecution(
        makeExecution({
          status: 'running',
          workerId: 'worker_2',
          owner: 'host/1/fresh',
          leaseUntil: now + 1_500,
        }),
      );
      await store.createExecution(
        makeExecution({ status: 'pending', owner: 'host/2/old', leaseUntil: now - 3_000 }),
      );

      const report = await workersReport(client, now);
      expect(
        report.nodes.map((n) => [n.id, n.state, n.running, n.queued, n.executions, n.lastHeartbeat]),
      ).toEqual([
        ['host/2/old', 'stale', 2, 0, 1, now - 5_000],
        ['host/1/fresh', 'alive', 3, 1, 1, now - 1_000],
      ]);
      expect(report.nodes[1]).toMatchObject({
        capacity: 100,
        leaseSeconds: 2,
        registered: true,
        leaseUntil: now + 1_500,
      });
      // Not in cluster mode: the configured workers are listed beside the ones seen.
      expect(report.loadDistribution).toEqual({ worker_1: 0, worker_2: 1 });

      expect(report).toMatchObject({ balanceScore: 1, balanced: false });

      // Cluster nodes are the workers: no configured default is listed then, and every live node
      // that takes placements is, idle or not (the balancer's workers: GET /v1/workers).
      await store.heartbeat({
        id: 'host/3/c',
        startedAt: now,
        lastHeartbeat: now,
        running: 0,
        queued: 0,
        capacity: 10,
        info: { cluster: true },
      });
      const clustered = await workersReport(client, now);
      expect(clustered.loadDistribution).toEqual({ worker_2: 1, 'host/3/c': 0 });
      expect(clustered.workers.map((w) => [w.id, w.source])).toEqual([
        ['worker_2', 'seen'],
        ['host/3/c', 'node'],
      ]);
      for (const [id, info] of [
        ['host/4/draining', { cluster: true, draining: true }],
        ['host/5/silent', { cluster: true }],
      ] as const) {
        await store.heartbeat({
          id,
          startedAt: now,
          lastHeartbeat: id === 'host/5/silent' ? now - 60_000 : now,
          running: 0,
          queued: 0,
          capacity: 10,
          info,
        });
      }
      for (let i = 0; i < 3; i++) {
        await store.createExecution(
          makeExecution({ status: 'running', workerId: 'host/3/c', owner: 'host/3/c' }),
        );
      }
      // 1 and 3: one move from 2-2, of the worst's two (score 0.5), nor within 30% of the mean.
      // The draining node and the one silent past its lease are not workers.
      const busy = await workersReport(client, now);
      expect(busy.workers.map((w) => [w.id, w.active, w.source]).sort()).toEqual([
        ['host/3/c', 3, 'node'],
        ['worker_2', 1, 'seen'],
      ]);
      expect(busy.balanced).toBe(false);
      expect(busy.balanceScore).toBe(0.5);
      // Taken over by the live node from a dead one and waiting there for a slot: its stored
      // workerId still names the dead node (set when an execution starts). It counts under the
      // node holding it only: counted under both, the total came to more than there were.
      for (let i = 0; i < 2; i++) {
        await store.createExecution(
          makeExecution({ status: 'running', workerId: 'host/9/dead', owner: 'host/3/c' }),
        );
      }
      await store.createExecution(makeExecution({ status: 'running', workerId: 'host/9/dead', owner: null }));
      const takenOver = await workersReport(client, now);
      expect(takenOver.workers.map((w) => [w.id, w.active, w.source]).sort()).toEqual([
        ['host/3/c', 5, 'node'],
        ['host/9/dead', 1, 'seen'],
        ['worker_2', 1, 'seen'],
      ]);
      // A row without a lease length is judged with the default lease (30 s).
      expect(clustered.nodes.find((n) => n.id === 'host/3/c')).toMatchObject({
        state: 'alive',
        leaseSeconds: 30,
      });
    } finally {
      await client?.close();
      client = null;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('claimOnly', () => {
  it('limits claims to the given executions and forwards everything else', async () => {
    const store = new MemoryStore();
    const a = makeExecution();
    const b = makeExecution();
    await store.createExecution(a);
    await store.createExecution(b);
    const view = claimOnly(store, [b.id]);
    expect(view.kind).toBe('memory');
    const claimed = await view.claimExecutions({ owner: 'me', leaseUntil: 10_000, now: 5_000, limit: 10 });
    expect(claimed.map((r) => r.id)).toEqual([b.id]);
    expect((await view.getExecution(a.id))?.execution.owner).toBeNull();
  });
});
