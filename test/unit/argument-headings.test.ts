/**
 * A public method refusing an id or name argument heads its ValidationError with its own name
 * ('Invalid addWorker arguments: id: …'), as the constructors head theirs ('Invalid LoadBalancer
 * options'), instead of the generic 'Invalid input' that named neither the method nor the class.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../src/balancing/load-balancer.js';
import { PerformanceOptimizer } from '../../src/performance/performance-optimizer.js';
import { ErrorRecovery } from '../../src/recovery/error-recovery.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}

describe('headings of public method argument errors', () => {
  it('names the balancer method', () => {
    const balancer = new LoadBalancer({ workers: ['a'] });
    expect(messageOf(() => balancer.addWorker(''))).toBe(
      'Invalid addWorker arguments: id: Expected `id` to be a non-empty string, got ""',
    );
    expect(messageOf(() => balancer.addWorker('a\u0000'))).toMatch(/^Invalid addWorker arguments: id: /);
    expect(messageOf(() => balancer.assignWorkflow(5 as never))).toBe(
      'Invalid assignWorkflow arguments: executionId: Expected `executionId` to be a non-empty string, got 5',
    );
  });

  it('names the balancer method for its other arguments too', () => {
    const balancer = new LoadBalancer({ workers: ['a'] });
    expect(messageOf(() => balancer.setExternalLoad('a', -1))).toMatch(
      /^Invalid setExternalLoad arguments: load: /,
    );
    expect(messageOf(() => balancer.addExternalLoad('a', 0.5))).toMatch(
      /^Invalid addExternalLoad arguments: delta: /,
    );
    expect(messageOf(() => balancer.pickWorker(5 as never))).toMatch(
      /^Invalid pickWorker arguments: avoid: /,
    );
    expect(messageOf(() => balancer.isBalanced(-1))).toMatch(/^Invalid isBalanced arguments: threshold: /);
  });

  it('names the optimizer method', () => {
    const optimizer = new PerformanceOptimizer();
    expect(messageOf(() => optimizer.getStats(5 as never))).toBe(
      'Invalid getStats arguments: workflowId: Expected `workflowId` to be a non-empty string, got 5',
    );
    expect(messageOf(() => optimizer.recordStep('w', '', 1))).toMatch(
      /^Invalid recordStep arguments: step: /,
    );
    expect(messageOf(() => optimizer.recordExecution('w', 'x' as never))).toMatch(
      /^Invalid recordExecution arguments: durationMs: /,
    );
    expect(messageOf(() => optimizer.recordStep('w', 's', 1, { version: 0 }))).toMatch(
      /^Invalid recordStep arguments: version: /,
    );
    expect(messageOf(() => optimizer.suggestOptimization('w', 'x' as never))).toMatch(
      /^Invalid suggestOptimization arguments: avgTimeMs: /,
    );
    expect(messageOf(() => new PerformanceOptimizer({ slowThreshold: -1 }))).toMatch(
      /^Invalid PerformanceOptimizer options: slowThreshold: /,
    );
  });

  it('names the recovery method', async () => {
    const recovery = new ErrorRecovery();
    expect(messageOf(() => recovery.getAttempts(''))).toMatch(/^Invalid getAttempts arguments: stepName: /);
    await expect(recovery.compensate('s', ['a', ''])).rejects.toThrow(
      /^Invalid compensate arguments: completedSteps\[1\]: /,
    );
    expect(messageOf(() => recovery.getBackoffDelay(0))).toMatch(
      /^Invalid getBackoffDelay arguments: retryNumber: /,
    );
    await expect(recovery.retryStep('s', 5 as never)).rejects.toThrow(/^Invalid retry options: options: /);
    expect(messageOf(() => new ErrorRecovery(5 as never))).toMatch(
      /^Invalid ErrorRecovery options: options: /,
    );
    await expect(recovery.compensate('s', 'a' as never)).rejects.toThrow(
      /^Invalid compensate arguments: completedSteps: /,
    );
  });
});
