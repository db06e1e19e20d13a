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

describe('bad LoadBalancer options', () => {
  it('are refused in one error under its name, each saying what it got', () => {
    const error = (() => {
      try {
        new LoadBalancer({ workers: ['a', 1, ''], onReassign: 'log' } as never);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/^Invalid LoadBalancer options: /);
    expect((error as ValidationError).issues).toEqual([
      { path: 'workers[1]', message: 'Expected `workers[1]` to be a non-empty string, got 1' },
      { path: 'workers[2]', message: 'Expected `workers[2]` to be a non-empty string, got ""' },
      { path: 'onReassign', message: 'Expected `onReassign` to be a function, got "log"' },
    ]);
  });

  it('name what workers was when it is no array', () => {
    expect(() => new LoadBalancer({ workers: 'worker_1' } as never)).toThrow(
      'Invalid LoadBalancer options: workers: Expected `workers` to be an array of worker ids (non-empty strings), got "worker_1"',
    );
  });
});

describe('a LoadBalancer worker id no store can keep', () => {
  it('is refused naming its place in workers, not the id of addWorker', () => {
    expect(() => new LoadBalancer({ workers: ['a', 'b\u0000'] })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /^Invalid LoadBalancer options: workers\[1\]: .*no store can keep it as is$/,
        ),
        issues: [expect.objectContaining({ path: 'workers[1]' })],
      }),
    );
  });
});
