/**
 * A completion answered 404 (the node dropped the worker — it was silent past its lease — and the
 * worker registers again) loses the result: the node no longer knows the task was this worker's.
 * It used to be lost without a word; it is now logged as a warning naming the task and its action,
 * never the output (it may hold secrets).
 */
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { listenForTest } from '../helpers/listen.js';
import { until } from '../helpers/orchestrator.js';
import { sampleTask as task } from '../helpers/sample-task.js';

/** A node that registers the worker, hands out one task, and answers its completion 404. */
async function forgettingNode(): Promise<string> {
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
        return reply(404, { error: { code: 'NOT_FOUND', message: "Remote worker 'rw_1' not found" } });
      return reply(204);
    });
  });
  return listenForTest(server);
}

describe('a completion answered 404', () => {
  it('is logged as a warning naming the task and its action, not the output', async () => {
    const url = await forgettingNode();
    const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
    const w = createRemoteWorker({
      url,
      token: 'tok-0123456789',
      actions: { [task.action]: () => ({ secret: 'hunter2-output' }) },
      logger: {
        info() {},
        debug() {},
        error() {},
        warn: (obj, msg) => warnings.push({ obj: obj as never, msg }),
      },
    });
    onTestFinished(() => w.stop());
    await w.start();
    const isLost = (w: { msg: string | undefined }) => /result is lost/.test(w.msg ?? '');
    await until(() => warnings.some(isLost));
    const warning = warnings.find(isLost);
    expect(warning?.obj).toMatchObject({ taskId: task.taskId, action: task.action, status: 404 });
    expect(warning?.msg).toMatch(/no longer knows this worker/);
    expect(JSON.stringify(warnings)).not.toContain('hunter2-output');
  });
});
