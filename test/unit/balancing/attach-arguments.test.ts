/**
 * `LoadBalancer.attach(executionId, worker)` refused a bad worker as if `addWorker` had been
 * called ('Invalid addWorker arguments: id: …'), naming a method and an argument the caller never
 * used; it now names `attach` and `worker`, and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import { ValidationError } from '../../../src/errors.js';

describe('LoadBalancer.attach arguments', () => {
  it.each([[''], [5], [null], ['w\u0000x']])('refuses worker %j naming attach and worker', (worker) => {
    const lb = new LoadBalancer({ workers: ['a'] });
    let error: unknown;
    try {
      lb.attach('e1', worker as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/^Invalid attach arguments: worker: /);
    expect(lb.getWorkers()).toEqual(['a']);
    expect(lb.getWorker('e1')).toBeUndefined();
  });

  it('refuses a bad execution id before the worker', () => {
    const lb = new LoadBalancer({ workers: ['a'] });
    expect(() => lb.attach('', '')).toThrow(/^Invalid attach arguments: executionId: /);
  });
});
