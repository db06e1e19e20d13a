/**
 * A report the node refuses for a reason other than a lost lease (409) or a lost registration
 * (404) — a 401 once the token changed, a 403 or 415 from a proxy in front — is logged: the
 * result is lost and the task will fail with WORKER_LOST when its lease runs out. It used to be
 * dropped without a word.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { oneTaskNode, recordingLogger } from '../helpers/one-task-node.js';
import { until } from '../helpers/orchestrator.js';

const UNAUTHORIZED = { error: { code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token' } };

describe('a report the node refuses', () => {
  it('is logged as a warning naming the status and the reason', async () => {
    const { url } = await oneTaskNode((route) => (route === 'complete' ? [401, UNAUTHORIZED] : undefined));
    const { warnings, logger } = recordingLogger();
    const w = createRemoteWorker({ url, token: 'tok-0123456789', actions: { job: () => 'done' }, logger });
    onTestFinished(() => w.stop());
    await w.start();
    const isRefusal = (w: { msg: string | undefined }) => /report refused/.test(w.msg ?? '');
    await until(() => warnings.some(isRefusal));
    expect(warnings.find(isRefusal)?.obj).toMatchObject({
      path: '/v1/remote-workers/rw_1/tasks/rt_1/complete',
      status: 401,
      reason: UNAUTHORIZED.error,
    });
  });
});
