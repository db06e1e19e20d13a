/**
 * An output that is not JSON fails its task with INVALID_OUTPUT whatever the length of what the
 * message names: a problem deep under long keys, or a getter that throws a long message. The
 * message used to pass the protocol's 8192 characters, the node refused the report (400), and
 * the task waited out its lease to fail with WORKER_LOST (retried as such).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { startServer, TOKEN } from './server.js';

describe('a remote output that is not JSON, named by a long message', () => {
  it.each([
    ['a problem under a 10,000-character key', () => ({ ['k'.repeat(10_000)]: new Map() })],
    [
      'a getter that throws an 8192-character message',
      () => ({
        get value(): never {
          throw new Error('m'.repeat(8192));
        },
      }),
    ],
  ])('fails the step with INVALID_OUTPUT at once: %s', async (_what, output) => {
    const { url, orch } = await startServer();
    const w = createRemoteWorker({ url, token: TOKEN, actions: { odd: output } });
    onTestFinished(() => w.stop());
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'odd' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.error).toMatchObject({
      code: 'INVALID_OUTPUT',
      message: expect.stringMatching(/^output is not JSON: /),
    });
    expect(status.error?.message.length).toBeLessThanOrEqual(8192);
  });
});
