/**
 * `stop()` against a node without the release route (an older version answers 404, or 405): the
 * tasks it aborts are reported failed instead, WORKER_STOPPED and retryable, so the step's retry
 * policy decides (a step without `retry` fails).
 */
import { describe, expect, it } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { oneTaskNode } from '../helpers/one-task-node.js';
import { gate } from '../helpers/orchestrator.js';

const NO_ROUTE = { error: { code: 'NOT_FOUND', message: 'Route not found' } };

describe('stop() against a node without the release route', () => {
  it.each([[404], [405]])(
    'reports the aborted task failed, WORKER_STOPPED and retryable (release answered %i)',
    async (status) => {
      // A node of a version without `release`.
      const node = await oneTaskNode((route) => (route === 'release' ? [status, NO_ROUTE] : undefined));
      const started = gate();
      const w = createRemoteWorker({
        url: node.url,
        token: 'tok-0123456789',
        actions: {
          job: (_input, ctx) =>
            new Promise((_resolve, reject) => {
              started.open();
              ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
            }),
        },
      });
      await w.start();
      await started.promise;
      await w.stop();
      expect(node.reports).toEqual([
        { path: '/v1/remote-workers/rw_1/tasks/rt_1/release', body: undefined },
        {
          path: '/v1/remote-workers/rw_1/tasks/rt_1/fail',
          body: {
            error: { code: 'WORKER_STOPPED', message: 'the remote worker stopped before the task finished' },
            retryable: true,
          },
        },
      ]);
    },
  );
});
