/**
 * `stop()` against a node without the release route (an older version answers 404, or 405): the
 * tasks it aborts are reported failed instead, WORKER_STOPPED and retryable, so the step's retry
 * policy decides (a step without `retry` fails).
 */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { listenForTest } from '../helpers/listen.js';
import { gate } from '../helpers/orchestrator.js';
import { sampleTask as task } from '../helpers/sample-task.js';

/** A node of a version without `release`: registers, hands out one task, records the reports. */
async function olderNode(
  status: number,
): Promise<{ url: string; reports: { path: string; body: unknown }[] }> {
  let handed = false;
  const reports: { path: string; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const url = req.url ?? '';
      const reply = (code: number, body?: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (url === '/v1/remote-workers')
        return reply(201, { workerId: 'rw_1', leaseSeconds: 30, pollSeconds: 1 });
      if (url.endsWith('/poll') && !handed) {
        handed = true;
        return reply(200, { task });
      }
      if (url.includes('/tasks/')) reports.push({ path: url, body: text ? JSON.parse(text) : undefined });
      if (url.endsWith('/release'))
        return reply(status, { error: { code: 'NOT_FOUND', message: 'Route not found' } });
      return reply(204);
    });
  });
  return { url: await listenForTest(server), reports };
}

describe('stop() against a node without the release route', () => {
  it.each([[404], [405]])(
    'reports the aborted task failed, WORKER_STOPPED and retryable (release answered %i)',
    async (status) => {
      const node = await olderNode(status);
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
