/**
 * The balance score judges a placement against the best one whole executions allow: one execution
 * on two workers, or 4 on 3 (2, 1, 1), is as even as it can be and scores 1, not 0 — else the score
 * (the dashboard's, `GET /v1/workers`'s, Prometheus `orchestrator_load_balance_score`) flipped
 * between 0 and 1 at every start and end under light load, while the balancer placed perfectly.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/index.js';

function withLoads(loads: number[]): LoadBalancer {
  const lb = new LoadBalancer({ workers: loads.map((_, i) => `w${i}`) });
  for (const [i, load] of loads.entries()) lb.setExternalLoad(`w${i}`, load);
  return lb;
}

describe('balanceScore', () => {
  it('is 1 for every placement as even as whole executions allow', () => {
    for (const loads of [[1, 0], [0, 1, 0], [2, 1, 1], [1, 1, 0], [5, 4, 4, 5], [7], [3, 3, 3]]) {
      expect(withLoads(loads).balanceScore(), JSON.stringify(loads)).toBe(1);
    }
  });

  it('is 1 − (max − min − unavoidable spread) / max otherwise', () => {
    expect(withLoads([2, 0]).balanceScore()).toBe(0);
    expect(withLoads([3, 0, 0]).balanceScore()).toBe(0);
    expect(withLoads([5, 0, 0]).balanceScore()).toBeCloseTo(1 - 4 / 5);
    expect(withLoads([3, 1, 0]).balanceScore()).toBeCloseTo(1 - 2 / 3);
    expect(withLoads([10, 8, 12]).balanceScore()).toBeCloseTo(1 - 4 / 12);
  });

  it('is the nearest number to the exact score, as a report shows it: 0.2 for 5-0, not 0.19999999999999996', () => {
    expect(withLoads([5, 0]).balanceScore()).toBe(0.2);
    expect(withLoads([5, 0, 0]).balanceScore()).toBe(0.2);
    expect(withLoads([7, 0]).balanceScore()).toBe(1 / 7);
    expect(withLoads([10, 8, 12]).balanceScore()).toBe(8 / 12);
    expect(JSON.stringify(withLoads([3, 1, 0]).balanceScore())).toBe(String(1 / 3));
  });

  it('follows the least-loaded placement: 1 after each assignment, at any count', () => {
    const lb = new LoadBalancer({ workers: ['a', 'b', 'c'] });
    for (let i = 0; i < 10; i++) {
      lb.assignWorkflow(`e${i}`);
      expect(lb.balanceScore()).toBe(1);
    }
  });
});
