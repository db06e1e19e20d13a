/**
 * The reads of the balancer, the optimizer and `getMetrics` check their id arguments as the writes
 * do: a non-string or empty id is a ValidationError naming it, not an answer for an id that
 * cannot exist (`completeWorkflow(42)` said `false`, `getStats(undefined)` returned zeros,
 * `suggestOptimization(undefined, 5000)` gave suggestions, `getMetrics(null)` an empty snapshot).
 * Values that cannot be turned into text (a symbol, an object without a prototype) are described,
 * not a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import { ValidationError } from '../../../src/errors.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';
import { withOrchestrator } from '../../helpers/orchestrator.js';

const BAD_IDS: unknown[] = [42, null, '', {}, Object.create(null), Symbol('id')];

describe('id arguments of reads', () => {
  it('LoadBalancer.completeWorkflow, getWorker and getLoad refuse an id that is not a non-empty string', () => {
    const lb = new LoadBalancer();
    for (const id of BAD_IDS) {
      expect(() => lb.completeWorkflow(id as never)).toThrow(ValidationError);
      expect(() => lb.getWorker(id as never)).toThrow(/`executionId`/);
      expect(() => lb.assignWorkflow(id as never)).toThrow(/`executionId`/);
      expect(() => lb.addWorker(id as never)).toThrow(/`id`/);
      expect(() => lb.getLoad(id as never)).toThrow(/Invalid getLoad arguments: .*`workerId`/);
    }
    expect(lb.completeWorkflow('unknown')).toBe(false);
    expect(lb.getWorker('unknown')).toBeUndefined();
    expect(lb.getLoad('unknown')).toBe(0);
  });

  it('isBalanced describes a symbol threshold instead of throwing a TypeError', () => {
    expect(() => new LoadBalancer().isBalanced(Symbol('t') as never)).toThrow(ValidationError);
  });

  it('the optimizer reads refuse a workflow id that is not a non-empty string', () => {
    const opt = new PerformanceOptimizer();
    opt.recordExecution('w', 2000);
    for (const id of BAD_IDS) {
      expect(() => opt.getAvgExecutionTime(id as never)).toThrow(/`workflowId`/);
      expect(() => opt.getStats(id as never)).toThrow(ValidationError);
      expect(() => opt.getStepStats(id as never)).toThrow(ValidationError);
      expect(() => opt.identifyBottleneck(id as never)).toThrow(ValidationError);
      expect(() => opt.suggestOptimization(id as never, 5000)).toThrow(/`workflowId`/);
      expect(() => opt.recordExecution(id as never, 1)).toThrow(/`workflowId`/);
    }
    for (const id of [42, null, '']) expect(() => opt.reset(id as never)).toThrow(ValidationError);
    expect(opt.getStats('w').count).toBe(1);
    opt.reset(undefined);
    expect(opt.listWorkflows()).toEqual([]);
  });

  it('getMetrics refuses a workflow id that is not a non-empty string', async () => {
    const orch = await withOrchestrator();
    for (const id of BAD_IDS) expect(() => orch.getMetrics(id as never)).toThrow(/`workflowId`/);
    expect(orch.getMetrics(undefined).executions.total).toBe(0);
    expect(orch.getMetrics('unknown').executions.total).toBe(0);
  });
});
