import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { advertisedWorkers, readAdvertisedWorkers } from '../../../src/balancing/advertised-workers.js';
import { workersReport } from '../../../src/cli/reports.js';
import { StoreClient } from '../../../src/cli/store-client.js';
import { buildApp, createOrchestrator, type Orchestrator } from '../../../src/index.js';
import { makeExecution } from '../../store/records.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('orchestrator workers: the configured workers of the nodes', () => {
  it('lists the workers a node is configured with, not the default worker_1, and judges as GET /v1/workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-workers-cfg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `sqlite:${join(dir, 'store.sqlite')}`;
    const orch: Orchestrator = await createOrchestrator({
      store: url,
      workers: ['a', 'b', 'c'],
      maxConcurrentWorkflows: 4,
    });
    cleanups.push(() => orch.close());
    const release: (() => void)[] = [];
    orch.workflowEngine.registerAction('hold', () => new Promise<void>((resolve) => release.push(resolve)));
    cleanups.push(() => {
      for (const r of release) r();
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'hold' }]);
    for (let i = 0; i < 4; i++) await orch.workflowEngine.executeWorkflow('w', {});
    await expect.poll(() => release.length).toBe(4);
    // The heartbeat (every sweepInterval) carries the workers; the executions are stored running.
    client = await StoreClient.open(url);
    cleanups.push(async () => client?.close());
    const c = client;
    await expect
      .poll(async () => (await workersReport(c)).loadDistribution, { timeout: 5000 })
      .toEqual({ a: 2, b: 1, c: 1 });

    const report = await workersReport(c);
    expect(report.workers.map((w) => [w.id, w.source])).toEqual([
      ['a', 'configured'],
      ['b', 'configured'],
      ['c', 'configured'],
    ]);
    const app = await buildApp(orch, { token: 't' });
    cleanups.push(() => app.close());
    const api = (await app.inject({ url: '/v1/workers', headers: { authorization: 'Bearer t' } })).json();
    expect(api.workers).toEqual([
      { id: 'a', active: 2 },
      { id: 'b', active: 1 },
      { id: 'c', active: 1 },
    ]);
    expect(report).toMatchObject({
      balanced: api.balanced,
      balanceScore: api.balanceScore,
      threshold: api.threshold,
    });
    expect(report.balanceScore).toBe(1);
  });

  it('keeps the idle configured workers, and ignores what a node silent past its lease advertised', async () => {
    client = await StoreClient.open('memory');
    const store = client.store;
    const now = 1_000_000;
    const node = (id: string, lastHeartbeat: number, workers: string[]) =>
      store.heartbeat({
        id,
        startedAt: 0,
        lastHeartbeat,
        running: 0,
        queued: 0,
        capacity: 10,
        info: { cluster: false, leaseSeconds: 2, workers },
      });
    await node('host/1/live', now - 1_000, ['x', 'y']);
    await node('host/2/gone', now - 5_000, ['old']);
    await store.createExecution(makeExecution({ status: 'running', workerId: 'y' }));
    const report = await workersReport(client, now);
    expect(report.loadDistribution).toEqual({ x: 0, y: 1 });
    expect(report).toMatchObject({ balanceScore: 1, balanced: false });

    // A node whose workers were past the heartbeat's bounds: no default worker_1 either.
    await store.removeNode('host/1/live');
    await store.heartbeat({
      id: 'host/3/many',
      startedAt: 0,
      lastHeartbeat: now,
      running: 0,
      queued: 0,
      capacity: 10,
      info: { cluster: false, leaseSeconds: 2, workers: 'omitted' },
    });
    expect((await workersReport(client, now)).loadDistribution).toEqual({ y: 1 });
  });
});

let client: StoreClient | null = null;

describe('advertisedWorkers', () => {
  it('carries up to 1,000 ids and 64 Ki characters of them, else says it omitted them', () => {
    const ids = (n: number, length: number) =>
      Array.from({ length: n }, (_, i) => `${i}`.padStart(length, 'w'));
    expect(advertisedWorkers(['a', 'b'])).toEqual({ workers: ['a', 'b'] });
    expect(advertisedWorkers(ids(1000, 8)).workers).toHaveLength(1000);
    expect(advertisedWorkers(ids(1001, 8))).toEqual({ workers: 'omitted' });
    expect(advertisedWorkers(ids(64, 1024)).workers).toHaveLength(64);
    expect(advertisedWorkers(ids(65, 1024))).toEqual({ workers: 'omitted' });
    expect(readAdvertisedWorkers({ workers: 'omitted' })).toEqual([]);
    expect(readAdvertisedWorkers({})).toBeNull();
  });
});
