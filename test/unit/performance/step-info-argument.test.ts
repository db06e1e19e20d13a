/**
 * recordStep's `info` argument: `null` (or a string) threw a bare TypeError "Cannot read
 * properties of null (reading 'retried')" after the run had already been counted; it is now a
 * ValidationError naming `info`, and nothing is recorded.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';

describe('PerformanceOptimizer.recordStep info', () => {
  it.each([[null], ['retried'], [5], [[]]])('refuses info %j naming it, recording nothing', (info) => {
    const optimizer = new PerformanceOptimizer();
    expect(() => optimizer.recordStep('wf', 's', 10, info as never)).toThrow(ValidationError);
    expect(() => optimizer.recordStep('wf', 's', 10, info as never)).toThrow(/`info` to be an object/);
    expect(optimizer.getStepStats('wf')).toEqual({});
  });

  it('takes an object or no info', () => {
    const optimizer = new PerformanceOptimizer();
    optimizer.recordStep('wf', 's', 10, { retried: true });
    optimizer.recordStep('wf', 's', 10);
    expect(optimizer.getStepStats('wf').s).toMatchObject({ count: 2, retries: 1 });
  });
});
