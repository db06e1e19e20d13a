/**
 * The components take `undefined` for an optional option or fact as if it were left out, as their
 * types say (test/types/component-options.ts compiles such calls under exactOptionalPropertyTypes).
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer, PerformanceOptimizer } from '../../../src/index.js';

describe('undefined options and facts', () => {
  it('are taken as left out by the balancer and the optimizer', () => {
    const balancer = new LoadBalancer({ workers: undefined, onReassign: undefined });
    expect(balancer.getWorkers()).toEqual(['worker_1', 'worker_2', 'worker_3']);
    expect(balancer.isBalanced(undefined)).toBe(true);
    const optimizer = new PerformanceOptimizer({
      slowThreshold: undefined,
      maxWorkflows: undefined,
      maxStepsPerWorkflow: undefined,
      maxStepSeries: undefined,
    });
    expect(optimizer.slowThreshold).toBe(1000);
    optimizer.recordExecution('w', 10, undefined);
    optimizer.recordStep('w', 's', 10, {
      timeoutMs: undefined,
      retried: undefined,
      failed: undefined,
      attemptMs: undefined,
      parent: undefined,
      waitMs: undefined,
      queuedMs: undefined,
      version: undefined,
    });
    optimizer.recordCompensation('w', 's', 5, { version: undefined });
    expect(optimizer.getStepStats('w').s).toMatchObject({
      count: 1,
      retries: 0,
      failures: 0,
      waitAvg: 0,
      compensations: 1,
      share: 1,
    });
    expect(optimizer.getVersion('w')).toBeNull();
  });
});
