/**
 * The balance score is `1 − m / M`: `m` the fewest executions that must move to make the placement
 * as even as whole executions allow, `M` that count when every execution sits on one worker. So one
 * execution on two workers, or 4 on 3 (2, 1, 1), scores 1, not 0 — else the score (the
 * dashboard's, `GET /v1/workers`'s, Prometheus `orchestrator_load_balance_score`) flipped between
 * 0 and 1 at every start and end under light load, while the balancer placed perfectly — and a
 * placement nearer even scores higher: 2-1-0 above 3-0-0, which a max/min score rated the same.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/index.js';

function withLoads(loads: number[]): LoadBalancer {
  const lb = new LoadBalancer({ workers: loads.map((_, i) => `w${i}`) });
  for (const [i, load] of loads.entries()) lb.setExternalLoad(`w${i}`, load);
  return lb;
}

/** Every ordering of `items` (small lists only). */
function orderings(items: number[]): number[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    orderings([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** The fewest moves to an even placement, by trying every way to hand out the even shares. */
function fewestMoves(loads: number[]): number {
  const total = loads.reduce((a, b) => a + b, 0);
  const n = loads.length;
  const shares = loads.map((_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
  let best = Number.POSITIVE_INFINITY;
  for (const order of orderings(shares)) {
    const moves = loads.reduce((sum, load, i) => sum + Math.max(0, load - (order[i] ?? 0)), 0);
    best = Math.min(best, moves);
  }
  return best;
}

describe('balanceScore', () => {
  it('is 1 for every placement as even as whole executions allow', () => {
    for (const loads of [[1, 0], [0, 1, 0], [2, 1, 1], [1, 1, 0], [5, 4, 4, 5], [7], [3, 3, 3], [0, 0]]) {
      expect(withLoads(loads).balanceScore(), JSON.stringify(loads)).toBe(1);
    }
  });

  it('is 0 when every execution sits on one worker and another placement would be more even', () => {
    for (const loads of [
      [2, 0],
      [3, 0, 0],
      [5, 0, 0],
      [0, 0, 9, 0],
      [5, 0],
    ]) {
      expect(withLoads(loads).balanceScore(), JSON.stringify(loads)).toBe(0);
    }
  });

  it('rates a placement by the executions it would take to even it out: 2-1-0 above 3-0-0', () => {
    expect(withLoads([2, 1, 0]).balanceScore()).toBe(0.5); // 1 move of the worst's 2
    expect(withLoads([3, 1, 0]).balanceScore()).toBe(0.5); // 3-1-0 → 2-1-1: 1 of 2
    expect(withLoads([3, 1]).balanceScore()).toBe(0.5); // 1 of 2
    expect(withLoads([5, 1, 0]).balanceScore()).toBe(0.25); // 3 of 4
    expect(withLoads([10, 8, 12]).balanceScore()).toBe(0.9); // 2 of 20, the nearest double
    expect(JSON.stringify(withLoads([9, 0, 0, 1]).balanceScore())).toBe(String(1 / 7)); // 6 of 7
  });

  it('agrees with the fewest moves found by trying every even placement, and stays in 0..1', () => {
    let seed = 7;
    const next = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    for (let round = 0; round < 300; round++) {
      const loads = Array.from({ length: 1 + next(5) }, () => next(7));
      const total = loads.reduce((a, b) => a + b, 0);
      const even = Math.floor(total / loads.length) + (total % loads.length > 0 ? 1 : 0);
      const worst = total - even;
      const expected = worst === 0 ? 1 : (worst - fewestMoves(loads)) / worst;
      const score = withLoads(loads).balanceScore();
      expect(score, JSON.stringify(loads)).toBe(expected);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('follows the least-loaded placement: 1 after each assignment, at any count', () => {
    const lb = new LoadBalancer({ workers: ['a', 'b', 'c'] });
    for (let i = 0; i < 10; i++) {
      lb.assignWorkflow(`e${i}`);
      expect(lb.balanceScore()).toBe(1);
    }
  });
});
