import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import type { EngineContext } from '../../../src/engine/context.js';
import { balancedForSlots } from '../../../src/engine/slot-balance.js';

/** This node `a` (slots from its config) and nodes of the given slots, with the given loads. */
function cluster(own: number, others: Record<string, number>, loads: Record<string, number>): EngineContext {
  const loadBalancer = new LoadBalancer({ workers: ['a', ...Object.keys(others)] });
  for (const [id, load] of Object.entries(loads)) loadBalancer.setExternalLoad(id, load);
  const heartbeats = new Map(
    Object.entries(others).map(([id, capacity]) => [id, { at: 0, leaseMs: undefined, capacity }]),
  );
  return {
    loadBalancer,
    heartbeats,
    nodeId: 'a',
    config: { maxConcurrentWorkflows: own },
  } as unknown as EngineContext;
}

describe('balancedForSlots', () => {
  it('judges mixed slots by each node share of them', () => {
    // 1, 10 and 10 slots: 2, 29, 29 is placement by room left.
    expect(balancedForSlots(cluster(1, { b: 10, c: 10 }, { a: 2, b: 29, c: 29 }), 0.3)).toBe(true);
    // The small node holding a third of the load is not.
    expect(balancedForSlots(cluster(1, { b: 10, c: 10 }, { a: 20, b: 20, c: 20 }), 0.3)).toBe(false);
    // Nor one big node idle while the other holds it all.
    expect(balancedForSlots(cluster(1, { b: 10, c: 10 }, { a: 1, b: 0, c: 40 }), 0.3)).toBe(false);
    expect(balancedForSlots(cluster(1, { b: 10, c: 10 }, {}), 0.3)).toBe(true);
  });

  it('is the balancer own judgment when every node has the same slots', () => {
    const even = cluster(10, { b: 10 }, { a: 5, b: 5 });
    expect(balancedForSlots(even, 0.3)).toBe(even.loadBalancer.isBalanced(0.3));
    const skewed = cluster(10, { b: 10 }, { a: 9, b: 1 });
    expect(balancedForSlots(skewed, 0.3)).toBe(false);
  });
});
