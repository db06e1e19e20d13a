/**
 * An options or filter object that is not a plain object was read by its own keys only:
 * `listExecutions(new URLSearchParams('status=failed'))` listed every execution, unfiltered,
 * `executeWorkflow(id, input, new Map([['idempotencyKey', 'k']]))` started a second execution for
 * the same key, and `new ErrorRecovery(new Map([['maxDelay', 30]]))` kept the 5 s default — all
 * without a word. Each is now a ValidationError saying what it got.
 */
import { describe, expect, it } from 'vitest';
import { ErrorRecovery, ValidationError } from '../../src/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('options objects must be plain objects', () => {
  it('listExecutions and executeWorkflow refuse a URLSearchParams or a Map', async () => {
    const orch = await withOrchestrator({ store: 'memory' });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', action: 'noop' }]);
    const filter = new URLSearchParams('status=failed');
    await expect(orch.workflowEngine.listExecutions(filter as never)).rejects.toThrow(
      'Invalid listExecutions options: expected an object of filters, got a URLSearchParams',
    );
    await expect(
      orch.workflowEngine.executeWorkflow('w', {}, new Map([['idempotencyKey', 'k']]) as never),
    ).rejects.toThrow(
      'Invalid execution request: options: expected an object such as { idempotencyKey }, got a Map',
    );
  });

  it('ErrorRecovery and retryStep refuse a Map', async () => {
    expect(refusal(() => new ErrorRecovery(new Map([['maxDelay', 30]]) as never))).toBe(
      'Invalid ErrorRecovery options: options: Expected `options` to be a plain object, got a Map',
    );
    const recovery = new ErrorRecovery({ sleep: async () => undefined });
    await expect(recovery.retryStep('a', new Map([['maxAttempts', 0]]) as never)).rejects.toThrow(
      'Invalid retry options: options: Expected `options` to be a plain object, got a Map',
    );
  });
});
