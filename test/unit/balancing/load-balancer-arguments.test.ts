/**
 * The balancer's and the optimizer's remaining bad arguments get a ValidationError naming them:
 * `null` options threw a TypeError, `removeWorker` of a non-string answered `{}` as if the worker
 * were unknown, and `isBalanced('0.3')` said "got 0.3" (the string was not shown as one).
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import { ValidationError } from '../../../src/errors.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';

describe('LoadBalancer and PerformanceOptimizer argument checks', () => {
  it('refuses null options', () => {
    expect(() => new LoadBalancer(null as never)).toThrow(ValidationError);
    expect(() => new PerformanceOptimizer(null as never)).toThrow(ValidationError);
  });

  it('refuses a worker id that is not a non-empty string in removeWorker', () => {
    const lb = new LoadBalancer();
    expect(() => lb.removeWorker(5 as never)).toThrow(/`id`/);
    expect(() => lb.removeWorker('' as never)).toThrow(ValidationError);
    expect(lb.removeWorker('unknown')).toEqual({});
  });

  it('refuses a worker id no store keeps as is (U+0000, an unpaired surrogate)', () => {
    // orch.loadBalancer.addWorker('w\u0000x') was taken, and the executions placed on it were
    // stored with workerId 'w\ufffdx' on PostgreSQL (kept as given by the other stores).
    const lb = new LoadBalancer();
    expect(() => lb.addWorker('w\u0000x')).toThrow(/id: contains U\+0000 at index 1/);
    expect(() => lb.addWorker('w\ud800')).toThrow(ValidationError);
    expect(() => new LoadBalancer({ workers: ['ok', 'w\udc00'] })).toThrow(ValidationError);
    expect(lb.addWorker('w\ud83d\ude00')).toBe(true);
  });

  it('shows a threshold given as a string as a string', () => {
    expect(() => new LoadBalancer().isBalanced('0.3' as never)).toThrow(/got "0\.3"/);
  });
});
