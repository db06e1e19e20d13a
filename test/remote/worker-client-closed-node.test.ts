/**
 * A node whose orchestrator is closed answers a worker it no longer knows with 503 `CLOSED`
 * (closed-node.test.ts), as it does once its API closes. The task the worker holds is lost to
 * that node: the client took such a heartbeat answer for a passing error (the handler ran on
 * until a whole lease went without renewal) and retried such a report until the lease ran out.
 * It now stops the task at that heartbeat, and drops the report at the first answer, saying why.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { oneTaskNode, recordingLogger } from '../helpers/one-task-node.js';
import { until } from '../helpers/orchestrator.js';

const CLOSED = { error: { code: 'CLOSED', message: 'The orchestrator is closed' } };

/** A node that hands out one task, then answers everything else 503 CLOSED. */
const closedNode = (leaseSeconds: number) => oneTaskNode(() => [503, CLOSED], leaseSeconds);

describe('a remote worker whose node answers 503 CLOSED', () => {
  it('stops the task at the first heartbeat so answered, not a lease later', async () => {
    const { url, count } = await closedNode(0.6);
    let beatsAtAbort = -1;
    const w = createRemoteWorker({
      url,
      token: 'tok-0123456789',
      actions: {
        job: (_input, ctx) =>
          new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => {
              beatsAtAbort = count.get('heartbeat') ?? 0;
              reject(ctx.signal.reason);
            }),
          ),
      },
    });
    onTestFinished(() => w.stop());
    await w.start();
    await until(() => beatsAtAbort >= 0);
    expect(beatsAtAbort).toBe(1);
    expect(count.get('complete') ?? 0).toBe(0);
    expect(count.get('fail') ?? 0).toBe(0);
  });

  it('drops a report at the first such answer, with a warning, rather than retry it for a lease', async () => {
    const { url, count } = await closedNode(30);
    const { warnings, logger } = recordingLogger();
    const w = createRemoteWorker({ url, token: 'tok-0123456789', actions: { job: () => 'done' }, logger });
    onTestFinished(() => w.stop());
    await w.start();
    const isDropped = (w: { msg: string | undefined }) => /node is closed/.test(w.msg ?? '');
    await until(() => warnings.some(isDropped));
    expect(count.get('complete')).toBe(1);
    expect(warnings.find(isDropped)?.obj).toMatchObject({
      path: '/v1/remote-workers/rw_1/tasks/rt_1/complete',
      reason: CLOSED.error,
    });
  });
});
