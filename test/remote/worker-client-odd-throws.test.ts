/**
 * A remote handler may throw anything: values whose fields throw when read (a getter, a revoked
 * proxy) are reported as a failure like any other, and the slot keeps serving. Reading them used
 * to throw out of the report, which ended the slot with an unhandled rejection and left the task
 * to wait out its lease.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { failureOf } from '../../src/remote/task-failure.js';
import { startServer, TOKEN } from './server.js';

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const throwingMessage = {
  get message(): string {
    throw new Error('message getter');
  },
};
const throwingCode = {
  message: 'boom',
  get code(): string {
    throw new Error('code getter');
  },
};

describe('a remote handler that throws a value whose fields cannot be read', () => {
  it('is described without throwing', () => {
    expect(failureOf(throwingMessage)).toEqual({ error: { message: '[object Object]' }, retryable: true });
    expect(failureOf(throwingCode)).toEqual({ error: { message: 'boom' }, retryable: true });
    expect(failureOf(revokedProxy())).toEqual({
      error: { message: 'a thrown value that cannot be described' },
      retryable: true,
    });
  });

  it('fails the attempt (retried per the policy) and the same slot serves the retry', async () => {
    const { url, orch } = await startServer();
    const odd = [throwingMessage, throwingCode, revokedProxy()];
    const w = createRemoteWorker({
      url,
      token: TOKEN,
      actions: {
        odd: (_input, ctx) => {
          if (ctx.attempt <= odd.length) throw odd[ctx.attempt - 1];
          return 'fourth time';
        },
      },
    });
    onTestFinished(() => w.stop());
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'odd', retry: { maxAttempts: 3, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.outputData).toEqual({ odd: 'fourth time' });
    expect(status.steps[0]?.history?.map((h) => h.error?.code)).toEqual([
      'STEP_FAILED',
      'STEP_FAILED',
      'STEP_FAILED',
      undefined,
    ]);
  });
});
