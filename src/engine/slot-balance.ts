/**
 * Cluster mode: whether the live nodes' loads are balanced for their slots. Placement fills nodes
 * in proportion to their `maxConcurrentWorkflows` (see `capable-nodes.ts`), so where the nodes'
 * slots differ, balance is judged on each node's share of its slots: a node of 1 slot beside two
 * of 10 holding 2, 29 and 29 is as balanced as placement makes it, though its counts are not
 * (the load_imbalance alert fired on every burst of such a cluster). With equal slots everywhere
 * it is the balancer's own judgment (`isBalanced`).
 * @module
 */
import { capacityOf } from './capable-nodes.js';
import type { EngineContext } from './context.js';

/** Whether the live nodes' loads are within `threshold` of the mean, weighed by their slots. */
export function balancedForSlots(ctx: EngineContext, threshold: number): boolean {
  const lb = ctx.loadBalancer;
  const nodes = lb.getWorkers();
  const slots = nodes.map((id) => capacityOf(ctx, id));
  if (slots.every((s) => s === slots[0])) return lb.isBalanced(threshold);
  const loads = nodes.map((id) => lb.getLoad(id));
  const total = loads.reduce((a, b) => a + b, 0);
  const capacity = slots.reduce((a, b) => a + b, 0);
  if (total === 0 || capacity === 0) return true;
  // Each node's fair load is its share of the slots; a whole execution off it is as close as
  // whole executions allow.
  return nodes.every((_, i) => {
    const fair = (total * (slots[i] as number)) / capacity;
    return Math.abs((loads[i] as number) - fair) <= Math.max(threshold * fair, 1) + 1e-9;
  });
}
