/**
 * The fields of recordStep's `info` (and recordCompensation's) were taken as they came: a timeout
 * given as text (`{ timeoutMs: '5000' }`) was kept and compared by coercion, a negative or NaN
 * timeout kept, `{ retried: 'yes' }` or a misspelt `{ retry: true }` silently counted no retry,
 * `{ parent: 42 }` made the step a branch of '42'. Each is now a ValidationError naming the field
 * (`info.timeoutMs`, `info.retry`, …), and nothing is recorded.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';

function refusal(run: () => void): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('accepted');
}

describe('recordStep info fields', () => {
  it.each([
    ['timeoutMs', '5000'],
    ['timeoutMs', -1],
    ['timeoutMs', Number.NaN],
    ['retried', 'yes'],
    ['failed', 1],
    ['parent', 42],
    ['parent', ''],
    ['attemptMs', '90'],
    ['waitMs', null],
    ['queuedMs', true],
  ])('refuses info.%s = %j naming it, recording nothing', (key, value) => {
    const opt = new PerformanceOptimizer();
    const error = refusal(() => opt.recordStep('w', 's', 100, { [key]: value }));
    expect(error.message).toMatch(
      new RegExp(`^Invalid recordStep arguments: info\\.${key}: Expected \`info\\.${key}\``),
    );
    expect(opt.getStepStats('w')).toEqual({});
    expect(opt.listWorkflows()).toEqual([]);
  });

  it('refuses a misspelt key by name', () => {
    const opt = new PerformanceOptimizer();
    const error = refusal(() => opt.recordStep('w', 's', 100, { retry: true } as never));
    expect(error.message).toMatch(/^Invalid recordStep arguments: info\.retry: unknown key/);
    expect(opt.listWorkflows()).toEqual([]);
  });

  it('takes every field the engine gives, undefined and null where allowed', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('w', 'p', 300, { timeoutMs: null, retried: false, failed: false, version: 1 });
    opt.recordStep('w', 'b', 250, {
      timeoutMs: 1000,
      retried: true,
      failed: true,
      parent: 'p',
      attemptMs: 200,
      waitMs: 50,
      queuedMs: undefined,
      version: 1,
    });
    opt.recordStep('w', 'c', 10, { timeoutMs: undefined, parent: undefined, attemptMs: Number.NaN });
    expect(opt.getStepStats('w').b).toMatchObject({ retries: 1, failures: 1, waitAvg: 50 });
  });
});

describe('recordCompensation info fields', () => {
  it('refuses a misspelt key by name', () => {
    const opt = new PerformanceOptimizer();
    const error = refusal(() => opt.recordCompensation('w', 's', 100, { verison: 2 } as never));
    expect(error.message).toMatch(/^Invalid recordCompensation arguments: info\.verison: unknown key/);
    expect(opt.listWorkflows()).toEqual([]);
  });
});
