/**
 * A completion answered 404 (the node dropped the worker — it was silent past its lease — and the
 * worker registers again) loses the result: the node no longer knows the task was this worker's.
 * It used to be lost without a word; it is now logged as a warning naming the task and its action,
 * never the output (it may hold secrets).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { oneTaskNode, recordingLogger } from '../helpers/one-task-node.js';
import { until } from '../helpers/orchestrator.js';
import { sampleTask as task } from '../helpers/sample-task.js';

const NOT_FOUND = { error: { code: 'NOT_FOUND', message: "Remote worker 'rw_1' not found" } };

describe('a completion answered 404', () => {
  it('is logged as a warning naming the task and its action, not the output', async () => {
    const { url } = await oneTaskNode((route) => (route === 'complete' ? [404, NOT_FOUND] : undefined));
    const { warnings, logger } = recordingLogger();
    const w = createRemoteWorker({
      url,
      token: 'tok-0123456789',
      actions: { [task.action]: () => ({ secret: 'hunter2-output' }) },
      logger,
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
