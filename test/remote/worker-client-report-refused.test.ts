/**
 * A report the node refuses for a reason other than a lost lease (409) or a lost registration
 * (404) — a 401 once the token changed, a 403 or 415 from a proxy in front — is logged: the
 * result is lost and the task will fail with WORKER_LOST when its lease runs out. It used to be
 * dropped without a word.
 */
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { listenForTest } from '../helpers/listen.js';
import { until } from '../helpers/orchestrator.js';
import { sampleTask as task } from '../helpers/sample-task.js';

/** A node that registers the worker, hands out one task, and refuses its completion with 401. */
async function refusingNode(): Promise<string> {
  let handed = false;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '';
      const reply = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (url === '/v1/remote-workers')
        return reply(201, { workerId: 'rw_1', leaseSeconds: 30, pollSeconds: 1 });
      if (url.endsWith('/poll') && !handed) {
        handed = true;
        return reply(200, { task });
      }
      if (url.endsWith('/complete'))
        return reply(401, { error: { code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token' } });
      return reply(204);
    });
  });
  return listenForTest(server);
}

describe('a report the node refuses', () => {
  it('is logged as a warning naming the status and the reason', async () => {
    const url = await refusingNode();
    const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
    const w = createRemoteWorker({
      url,
      token: 'tok-0123456789',
      actions: { job: () => 'done' },
      logger: {
        info() {},
        debug() {},
        error() {},
        warn: (obj, msg) => warnings.push({ obj: obj as never, msg }),
      },
    });
    onTestFinished(() => w.stop());
    await w.start();
    const isRefusal = (w: { msg: string | undefined }) => /report refused/.test(w.msg ?? '');
    await until(() => warnings.some(isRefusal));
    expect(warnings.find(isRefusal)?.obj).toMatchObject({
      path: '/v1/remote-workers/rw_1/tasks/rt_1/complete',
      status: 401,
      reason: { code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token' },
    });
  });
});
