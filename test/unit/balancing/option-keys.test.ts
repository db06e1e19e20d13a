/**
 * A misspelt option of the balancer or the optimizer is refused by name, as the config's are,
 * instead of being ignored: `new PerformanceOptimizer({ slowThresold: 5000 })` kept the 1000 ms
 * default and `new LoadBalancer({ worker: ['a'] })` the three default workers.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import { ValidationError } from '../../../src/errors.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';

describe('unknown option keys', () => {
  it('LoadBalancer refuses an unknown option by name', () => {
    expect(() => new LoadBalancer({ worker: ['a'] } as never)).toThrow(ValidationError);
    expect(() => new LoadBalancer({ worker: ['a'] } as never)).toThrow(/worker: unknown key 'worker'/);
    expect(new LoadBalancer({ workers: ['a'], onReassign: undefined }).getWorkers()).toEqual(['a']);
  });

  it('PerformanceOptimizer refuses an unknown option by name', () => {
    expect(() => new PerformanceOptimizer({ slowThresold: 5000 } as never)).toThrow(
      /slowThresold: unknown key 'slowThresold'/,
    );
    expect(new PerformanceOptimizer({ slowThreshold: 5000, maxWorkflows: undefined }).slowThreshold).toBe(
      5000,
    );
  });
});
