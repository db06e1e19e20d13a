/**
 * A task whose handler hangs (it never settles and ignores its signal) keeps the worker
 * heartbeating; the lease must be checked at every tick. A heartbeat the node left unanswered (a
 * stalled node, a proxy holding the request) skipped the ticks after it without that check, so
 * the task stayed the worker's — its slot taken, its result to be reported — until the request
 * timed out (`requestTimeoutSeconds`, here a minute), long after its lease ran out. The client now
 * aborts the task as lost once a lease passed without a renewal, whatever the request in flight.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker, type RemoteWorker } from '../../src/index.js';
import { HANG, type NodeReply, oneTaskNode } from '../helpers/one-task-node.js';
import { until } from '../helpers/orchestrator.js';

/** A worker whose `job` handler never settles; `aborted` gets its signal's reason. */
async function hungWorker(url: string): Promise<{ w: RemoteWorker; aborted: unknown[] }> {
  const aborted: unknown[] = [];
  const w = createRemoteWorker({
    url,
    token: 'tok-0123456789',
    requestTimeoutSeconds: 60,
    actions: {
      job: (_input, ctx) => {
        ctx.signal.addEventListener('abort', () => aborted.push(ctx.signal.reason));
        return new Promise(() => {});
      },
    },
  });
  onTestFinished(() => w.stop());
  await w.start();
  await until(() => w.running === 1);
  return { w, aborted };
}

describe('a remote worker running a handler that hangs', () => {
  it('gives the task up as lost a lease after the last renewal while a heartbeat hangs unanswered', async () => {
    // Leases of 0.3 s: a heartbeat every 0.1 s, the first one never answered.
    const { url, count, reports, dropped } = await oneTaskNode(
      (route) => (route === 'heartbeat' ? HANG : undefined),
      0.3,
    );
    const { w, aborted } = await hungWorker(url);
    await until(() => aborted.length > 0);
    expect(String(aborted[0])).toMatch(/Task rt_1 was aborted: lost/);
    // The slot is free again, and the worker reports nothing for a task no longer its own.
    await until(() => w.running === 0);
    expect(count.get('heartbeat')).toBe(1);
    expect(reports.filter((r) => !r.path.endsWith('/heartbeat'))).toEqual([]);
    // The heartbeat left hanging is given up with the task, not held for a minute.
    await until(() => dropped.get('heartbeat') === 1);
  });

  it('gives the task up at the first heartbeat answered 409, without waiting for the handler', async () => {
    let beats = 0;
    const answer = (route: string): NodeReply | undefined => {
      if (route !== 'heartbeat') return undefined;
      beats++;
      return beats < 3
        ? [200, { cancelled: false }]
        : [409, { error: { code: 'CONFLICT', message: 'not leased' } }];
    };
    const { url, reports } = await oneTaskNode(answer, 0.3);
    const { w, aborted } = await hungWorker(url);
    await until(() => w.running === 0);
    expect(beats).toBe(3);
    expect(String(aborted[0])).toMatch(/lost/);
    expect(reports.map((r) => r.path.split('/').at(-1))).toEqual(['heartbeat', 'heartbeat', 'heartbeat']);
  });
});
