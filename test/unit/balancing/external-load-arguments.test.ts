/**
 * The balancer's cluster inputs refuse what is no load: `setExternalLoad('a', NaN)` was accepted
 * and made `getLoadDistribution()` `{ a: NaN }` (null in JSON), `activeCount()` NaN and placement
 * ignore the worker; `pickWorker(5)` threw a bare TypeError.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import { ValidationError } from '../../../src/errors.js';

const notLoads = [Number.NaN, Number.POSITIVE_INFINITY, -1, 1.5, '2', null, undefined, {}, []];

describe('LoadBalancer external load arguments', () => {
  it.each(notLoads)('setExternalLoad refuses %s naming `load`, leaving the load as it was', (load) => {
    const lb = new LoadBalancer({ workers: ['a', 'b'] });
    lb.setExternalLoad('a', 2);
    expect(() => lb.setExternalLoad('a', load as never)).toThrow(ValidationError);
    expect(() => lb.setExternalLoad('a', load as never)).toThrow(/`load`/);
    expect(lb.getLoadDistribution()).toEqual({ a: 2, b: 0 });
    expect(lb.activeCount()).toBe(2);
  });

  it.each([Number.NaN, Number.NEGATIVE_INFINITY, 0.5, '1', null, undefined])(
    'addExternalLoad refuses %s naming `delta`',
    (delta) => {
      const lb = new LoadBalancer({ workers: ['a'] });
      lb.addExternalLoad('a', 1);
      expect(() => lb.addExternalLoad('a', delta as never)).toThrow(/`delta`/);
      expect(lb.getLoadDistribution()).toEqual({ a: 1 });
    },
  );

  it("addExternalLoad refuses a delta that takes a worker's load past Number.MAX_SAFE_INTEGER, naming `delta`", () => {
    const lb = new LoadBalancer({ workers: ['a'] });
    lb.setExternalLoad('a', Number.MAX_SAFE_INTEGER - 1);
    lb.addExternalLoad('a', 1);
    expect(lb.getLoad('a')).toBe(Number.MAX_SAFE_INTEGER);
    const error = (() => {
      try {
        lb.addExternalLoad('a', 1);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      `Invalid addExternalLoad arguments: delta: Expected \`delta\` to keep the load of worker 'a' at most ${Number.MAX_SAFE_INTEGER}, got 1 on a load of ${Number.MAX_SAFE_INTEGER}`,
    );
    expect(lb.getLoad('a')).toBe(Number.MAX_SAFE_INTEGER);
    lb.addExternalLoad('a', -1);
    expect(lb.getLoad('a')).toBe(Number.MAX_SAFE_INTEGER - 1);
  });

  it("setExternalLoad refuses a load that with the worker's own executions passes Number.MAX_SAFE_INTEGER", () => {
    const lb = new LoadBalancer({ workers: ['a'] });
    lb.attach('exec_1', 'a');
    expect(() => lb.setExternalLoad('a', Number.MAX_SAFE_INTEGER)).toThrow(ValidationError);
    expect(() => lb.setExternalLoad('a', Number.MAX_SAFE_INTEGER)).toThrow(
      /`load`.* at most 9007199254740991/,
    );
    expect(lb.getLoad('a')).toBe(1);
    lb.setExternalLoad('a', Number.MAX_SAFE_INTEGER - 1);
    expect(lb.getLoad('a')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a worker that is not a non-empty string, and still ignores an unknown one', () => {
    const lb = new LoadBalancer({ workers: ['a'] });
    expect(() => lb.setExternalLoad('' as never, 1)).toThrow(/`worker`/);
    expect(() => lb.addExternalLoad(5 as never, 1)).toThrow(/`worker`/);
    lb.setExternalLoad('zz', 3);
    lb.addExternalLoad('zz', -1);
    expect(lb.getLoadDistribution()).toEqual({ a: 0 });
    lb.addExternalLoad('a', -5);
    expect(lb.getLoadDistribution()).toEqual({ a: 0 });
  });

  it.each([5, 'a', {}, null])('pickWorker refuses an avoid that is not a function (%s)', (avoid) => {
    const lb = new LoadBalancer({ workers: ['a'] });
    expect(() => lb.pickWorker(avoid as never)).toThrow(ValidationError);
    expect(() => lb.pickWorker(avoid as never)).toThrow(/`avoid`/);
    expect(lb.pickWorker(undefined)).toBe('a');
  });
});
