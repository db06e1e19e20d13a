/**
 * A non-finite duration (NaN, ±Infinity) is ignored, as documented: the sample is not recorded
 * and, as with recordCompensation, nothing else changes. recordExecution and recordStep used to
 * record no sample but still mark the workflow as recorded: a new workflow past `maxWorkflows`
 * evicted the least recent one, a sample of a newer version dropped the older version's figures,
 * and recordStep created the step with its `info` counted (a failure out of zero runs).
 */
import { describe, expect, it } from 'vitest';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';

describe('PerformanceOptimizer with a non-finite duration', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'recordExecution(%d) neither tracks the workflow nor evicts another',
    (duration) => {
      const opt = new PerformanceOptimizer({ maxWorkflows: 1 });
      opt.recordExecution('a', 100);
      opt.recordExecution('b', duration);
      expect(opt.listWorkflows()).toEqual(['a']);
      expect(opt.getStats('a').count).toBe(1);
    },
  );

  it('recordExecution of a newer version keeps the older figures when its duration is NaN', () => {
    const opt = new PerformanceOptimizer();
    opt.recordExecution('w', 100, 1);
    opt.recordStep('w', 's', 40, { version: 1 });
    opt.recordExecution('w', Number.NaN, 2);
    expect(opt.getVersion('w')).toBe(1);
    expect(opt.getStats('w').count).toBe(1);
    expect(Object.keys(opt.getStepStats('w'))).toEqual(['s']);
  });

  it('recordStep counts nothing of a run whose duration is NaN', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('w', 's', Number.NaN, { failed: true, retried: true, version: 3 });
    expect(opt.getStepStats('w')).toEqual({});
    expect(opt.getVersion('w')).toBeNull();
    expect(opt.listWorkflows()).toEqual([]);
  });
});
