/**
 * Bad arguments to the optimizer get a ValidationError naming the argument, instead of being
 * dropped silently (a duration given as a string left no sample but created an empty step
 * series; `stepTimes` as an array named a step "2").
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';

describe('PerformanceOptimizer argument checks', () => {
  it('refuses a duration that is not a number, recording nothing', () => {
    const opt = new PerformanceOptimizer();
    expect(() => opt.recordExecution('w', '150' as never)).toThrow(ValidationError);
    expect(() => opt.recordExecution('w', undefined as never)).toThrow(/`durationMs`/);
    expect(() => opt.recordStep('w', 's', '5' as never)).toThrow(/`durationMs`/);
    expect(() => opt.recordStep('w', 's', null as never)).toThrow(ValidationError);
    expect(opt.listWorkflows()).toEqual([]);
    expect(opt.getStepStats('w')).toEqual({});
  });

  it('still ignores NaN and infinite durations, as documented', () => {
    const opt = new PerformanceOptimizer();
    opt.recordExecution('w', Number.NaN);
    opt.recordExecution('w', Number.POSITIVE_INFINITY);
    expect(opt.getStats('w').count).toBe(0);
  });

  it('refuses stepTimes that is not an object of { step: ms }', () => {
    const opt = new PerformanceOptimizer();
    expect(() => opt.identifyBottleneck('w', [1, 2, 3] as never)).toThrow(/`stepTimes`/);
    expect(() => opt.identifyBottleneck('w', 5 as never)).toThrow(ValidationError);
    expect(() => opt.identifyBottleneck('w', 'llm_call' as never)).toThrow(ValidationError);
    expect(opt.identifyBottleneck('w', null as never)).toBeNull();
    // A Map was read as empty, a time that is no number passed over: another step was named.
    expect(() => opt.identifyBottleneck('w', new Map([['fast', 9999]]) as never)).toThrow(
      'stepTimes: Expected `stepTimes` to be a plain object of { step: ms }, got a Map',
    );
    expect(() => opt.identifyBottleneck('w', { a: '100', b: 1 } as never)).toThrow(
      'stepTimes.a: Expected `stepTimes.a` to be a number of ms, got "100"',
    );
  });
});
