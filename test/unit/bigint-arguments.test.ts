/**
 * A bigint refused where a number is expected is shown with its `n`: "expected a positive
 * integer, got 5" read as a valid value refused.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, LoadBalancer, type OrchestratorOptions } from '../../src/index.js';
import { messageOf } from '../helpers/thrown.js';

describe('a bigint where a number is expected', () => {
  it.each([
    [
      { maxConcurrentWorkflows: 5n },
      'maxConcurrentWorkflows: Expected `maxConcurrentWorkflows` to be a positive integer, got 5n',
    ],
    [
      { workflowTimeout: 10n },
      'workflowTimeout: Expected `workflowTimeout` to be a positive number, got 10n',
    ],
    [{ retryAttempts: 3n }, 'retryAttempts: Expected `retryAttempts` to be a non-negative integer, got 3n'],
  ])('in the config (%o) is named with its n', async (config, message) => {
    const error = await createOrchestrator({
      store: 'memory',
      ...(config as unknown as OrchestratorOptions),
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(message);
  });

  it('as an argument is named with its n', () => {
    expect(messageOf(() => new LoadBalancer().isBalanced(1n as never))).toContain('got 1n');
  });
});
