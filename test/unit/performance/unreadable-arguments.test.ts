/**
 * The optimizer's object arguments — recordStep's and recordCompensation's `info`,
 * identifyBottleneck's `stepTimes` — were read without a guard: a revoked Proxy threw a bare
 * TypeError ("Cannot perform 'IsArray' on a proxy that has been revoked") and a getter that throws
 * its own error, no code and no path, where the options objects of every entry point are refused
 * with a ValidationError naming what could not be read. These now are too, recording nothing.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function throwingGetter(key: string): object {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error('vault locked');
    },
  });
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('unreadable object arguments of the optimizer', () => {
  it('recordStep refuses an info it cannot read, naming it', () => {
    const opt = new PerformanceOptimizer();
    expect(refusal(() => opt.recordStep('w', 's', 5, revoked() as never))).toMatch(
      /^Invalid recordStep arguments: info: could not be read/,
    );
    expect(refusal(() => opt.recordStep('w', 's', 5, throwingGetter('retried') as never))).toMatch(
      /^Invalid recordStep arguments: info\.retried: could not be read \(vault locked\)/,
    );
    expect(opt.listWorkflows()).toEqual([]);
  });

  it('recordCompensation refuses an info it cannot read, naming it', () => {
    const opt = new PerformanceOptimizer();
    expect(refusal(() => opt.recordCompensation('w', 's', 5, revoked() as never))).toMatch(
      /^Invalid recordCompensation arguments: info: could not be read/,
    );
    expect(opt.listWorkflows()).toEqual([]);
  });

  it('identifyBottleneck refuses stepTimes it cannot read, naming it', () => {
    const opt = new PerformanceOptimizer();
    expect(refusal(() => opt.identifyBottleneck('w', revoked() as never))).toMatch(
      /^Invalid identifyBottleneck arguments: stepTimes: could not be read/,
    );
    expect(refusal(() => opt.identifyBottleneck('w', throwingGetter('llm_call') as never))).toMatch(
      /^Invalid identifyBottleneck arguments: stepTimes\.llm_call: could not be read \(vault locked\)/,
    );
  });
});
