/**
 * The balancer's cluster extensions: load reported from other nodes (external load), placement
 * without assignment (`pickWorker`), and attaching an execution to a given worker.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import { NoWorkersError } from '../../../src/errors.js';

describe('LoadBalancer cluster load', () => {
  it('counts external load in placement, distribution, balance and score', () => {
    const lb = new LoadBalancer({ workers: ['a', 'b', 'c'] });
    lb.setExternalLoad('a', 5);
    lb.setExternalLoad('b', 1);
    expect(lb.pickWorker()).toBe('c');
    expect(lb.getLoadDistribution()).toEqual({ a: 5, b: 1, c: 0 });
    expect(lb.activeCount()).toBe(6);
    expect(lb.isBalanced(0.3)).toBe(false);
    expect(lb.balanceScore()).toBe(0.25); // 5-1-0 → 2-2-2: 3 of the worst's 4 moves
    lb.setExternalLoad('b', 5);
    lb.setExternalLoad('c', 5);
    expect(lb.isBalanced(0.3)).toBe(true);
    expect(lb.balanceScore()).toBe(1);
  });

  it('pickWorker places least-loaded first without registering anything', () => {
    const lb = new LoadBalancer({ workers: ['a', 'b'] });
    expect(lb.pickWorker()).toBe('a');
    expect(lb.pickWorker()).toBe('a');
    expect(lb.activeCount()).toBe(0);
    lb.addExternalLoad('a', 1);
    expect(lb.pickWorker()).toBe('b');
    lb.addExternalLoad('b', 2);
    expect(lb.pickWorker()).toBe('a');
    lb.addExternalLoad('b', -5);
    expect(lb.getLoadDistribution()).toEqual({ a: 1, b: 0 });
  });

  it("getLoad is one worker's load, external load included, and 0 for an unknown worker", () => {
    const lb = new LoadBalancer({ workers: ['a', 'b'] });
    lb.assignWorkflow('e1');
    lb.setExternalLoad('a', 2);
    lb.setExternalLoad('b', 4);
    expect([lb.getLoad('a'), lb.getLoad('b'), lb.getLoad('nobody')]).toEqual([3, 4, 0]);
    expect(lb.getLoadDistribution()).toEqual({ a: 3, b: 4 });
  });

  it('pickWorker leaves out the workers it is told to avoid, unless it would leave out all', () => {
    const lb = new LoadBalancer({ workers: ['a', 'b', 'c'] });
    lb.setExternalLoad('b', 2);
    lb.setExternalLoad('c', 1);
    expect(lb.pickWorker((id) => id === 'a')).toBe('c');
    expect(lb.pickWorker((id) => id !== 'b')).toBe('b');
    expect(lb.pickWorker(() => true)).toBe('a');
    expect(() => new LoadBalancer({ workers: [] }).pickWorker(() => false)).toThrow(NoWorkersError);
  });

  it('attach records an execution on the given worker, registering it, and moves it when attached elsewhere', () => {
    const lb = new LoadBalancer({ workers: ['a'] });
    expect(lb.attach('e1', 'node-2')).toBe('node-2');
    expect(lb.getWorkers()).toEqual(['a', 'node-2']);
    expect(lb.getWorker('e1')).toBe('node-2');
    expect(lb.attach('e1', 'node-2')).toBe('node-2');
    expect(lb.getLoadDistribution()).toEqual({ a: 0, 'node-2': 1 });
    lb.attach('e1', 'a');
    expect(lb.getLoadDistribution()).toEqual({ a: 1, 'node-2': 0 });
    expect(lb.completeWorkflow('e1')).toBe(true);
    expect(lb.getLoadDistribution()).toEqual({ a: 0, 'node-2': 0 });
  });

  it('ignores external load for unknown workers; an added load never drops below zero', () => {
    const lb = new LoadBalancer({ workers: ['a'] });
    lb.setExternalLoad('ghost', 10);
    lb.addExternalLoad('a', -3);
    expect(lb.getLoadDistribution()).toEqual({ a: 0 });
  });

  it('pickWorker with no workers throws NoWorkersError', () => {
    const lb = new LoadBalancer({ workers: [] });
    expect(() => lb.pickWorker()).toThrow(NoWorkersError);
  });
});
