/**
 * A node's heartbeat lists the remote workers registered with it (`info.remoteWorkers`), so that
 * every node (`GET /v1/workers`' `nodes`) and the CLI see the cluster's: the list as of the last
 * heartbeat, bounded (past 100 workers or 16 Ki characters, the count only), read back leniently.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import {
  advertisedRemoteWorkers,
  MAX_ADVERTISED_REMOTE_WORKERS,
  readAdvertisedRemoteWorkers,
} from '../../src/remote/advertised-remote-workers.js';
import type { RemoteWorkerSummary } from '../../src/remote/protocol.js';
import { until } from '../helpers/orchestrator.js';
import { closeAll, setup } from '../server/helpers.js';

afterEach(closeAll);

const summary = (i: number, actions = ['transcribe']): RemoteWorkerSummary => ({
  id: `rw_${i}`,
  actions,
  heldTasks: 1,
  polling: 0,
  registeredAt: new Date(1_000),
  lastSeen: new Date(2_000 + i),
});

describe("a node's heartbeat lists its remote workers", () => {
  it('as GET /v1/workers shows in each node of the registry, once the next heartbeat is written', async () => {
    const f = await setup({ orchestrator: { sweepInterval: 0.05 } });
    const reg = await f.call({
      method: 'POST',
      url: '/v1/remote-workers',
      payload: { name: 'py-stt', actions: ['stt'] },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const { workerId } = reg.json() as { workerId: string };
    let info: Record<string, unknown> = {};
    await until(async () => {
      const res = await f.call({ url: '/v1/workers' });
      info = (res.json() as { nodes: { info: Record<string, unknown> }[] }).nodes[0]?.info ?? {};
      return info.remoteWorkers !== undefined && (info.remoteWorkers as { count: number }).count === 1;
    });
    expect(info.remoteWorkers).toEqual({
      count: 1,
      workers: [
        {
          id: workerId,
          name: 'py-stt',
          actions: ['stt'],
          heldTasks: 0,
          polling: 0,
          lastSeen: expect.any(Number),
        },
      ],
    });
    // The engine's own keys stay its own.
    expect(info.pid).toBe(process.pid);

    // Deregistered: the next heartbeat lists none.
    const del = await f.call({ method: 'DELETE', url: `/v1/remote-workers/${workerId}` });
    expect(del.statusCode, del.body).toBeLessThan(300);
    await until(async () => {
      const res = await f.call({ url: '/v1/workers' });
      const entry = (res.json() as { nodes: { info: { remoteWorkers?: { count: number } } }[] }).nodes[0]
        ?.info.remoteWorkers;
      return entry?.count === 0;
    });
  });

  it('lists up to 100 workers and 16 Ki characters, past either only their count', () => {
    const hundred = Array.from({ length: MAX_ADVERTISED_REMOTE_WORKERS }, (_, i) => summary(i));
    const listed = advertisedRemoteWorkers(hundred);
    expect(listed.count).toBe(100);
    expect(listed.workers).toHaveLength(100);
    expect(advertisedRemoteWorkers([...hundred, summary(100)])).toEqual({ count: 101, workers: 'omitted' });
    const long = [summary(1, ['a'.repeat(16 * 1024)])];
    expect(advertisedRemoteWorkers(long)).toEqual({ count: 1, workers: 'omitted' });
    expect(advertisedRemoteWorkers([summary(7)])).toEqual({
      count: 1,
      workers: [{ id: 'rw_7', actions: ['transcribe'], heldTasks: 1, polling: 0, lastSeen: 2_007 }],
    });
  });

  it('is read back leniently: a node that says nothing, or entries of the wrong shape', () => {
    expect(readAdvertisedRemoteWorkers({})).toBeNull();
    expect(readAdvertisedRemoteWorkers({ remoteWorkers: 'x' })).toBeNull();
    for (const count of [-1, 1.5, '2', Number.NaN]) {
      expect(readAdvertisedRemoteWorkers({ remoteWorkers: { count, workers: [] } })).toBeNull();
    }
    expect(readAdvertisedRemoteWorkers({ remoteWorkers: { count: 3, workers: 'omitted' } })).toEqual({
      count: 3,
      workers: 'omitted',
    });
    const good = { id: 'rw_1', actions: ['a'], heldTasks: 0, polling: 1, lastSeen: 5 };
    expect(
      readAdvertisedRemoteWorkers({
        remoteWorkers: {
          count: 3,
          workers: [
            good,
            { id: 7 },
            null,
            { ...good, actions: [1] },
            { ...good, lastSeen: 9e15 },
            { ...good, lastSeen: 1.5 },
          ],
        },
      }),
    ).toEqual({ count: 3, workers: [good] });
  });

  it('takes a key and a provider or null, and refuses others, naming them', async () => {
    const orch: Orchestrator = await createOrchestrator();
    try {
      expect(() => orch.workflowEngine.advertise('', () => 1)).toThrow(/key/);
      expect(() => orch.workflowEngine.advertise('x', 5 as never)).toThrow(
        'Invalid advertise arguments: provider: expected a function or null, got 5',
      );
    } finally {
      await orch.close();
    }
  });
});
