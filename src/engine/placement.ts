/**
 * Cluster placement bookkeeping: an execution placed on a node counts as that node's load from the
 * moment the node is chosen, not only once its create committed, so submissions made at once
 * (a burst of HTTP requests) spread across the nodes instead of all going to the one that looked
 * least loaded. Creates still in flight are also added to the stored loads when the lease keeper
 * refreshes the cluster view, since that read may not see them yet.
 * @module
 */
import type { NodeRecord } from '../store/store.js';
import type { EngineContext } from './context.js';

/** Counts a placement on `node` as soon as it is chosen. */
export function startPlacement(ctx: EngineContext, node: string): void {
  ctx.placing.set(node, (ctx.placing.get(node) ?? 0) + 1);
  ctx.loadBalancer.addExternalLoad(node, 1);
}

/**
 * The create of a placement on `node` returned. `kept`: it was stored on another node, whose load
 * keeps it until the next refresh reads it from the store; otherwise (stored here, where the
 * scheduler counts it; not stored; a duplicate) the provisional count is taken back.
 */
export function endPlacement(ctx: EngineContext, node: string, kept: boolean): void {
  const left = (ctx.placing.get(node) ?? 1) - 1;
  if (left > 0) ctx.placing.set(node, left);
  else ctx.placing.delete(node);
  if (!kept) ctx.loadBalancer.addExternalLoad(node, -1);
}

/** Placements on `node` whose create is still in flight. */
export function placingOn(ctx: EngineContext, node: string): number {
  return ctx.placing.get(node) ?? 0;
}

/**
 * The lease end of an execution placed on `node` at `now`: a lease from `now`, but for another
 * node no later than a lease after its last heartbeat. A live node heartbeats and renews its
 * leases (those of executions placed on it and not adopted yet included) well within a lease; one
 * that just died would otherwise hold a fresh lease on work it never ran, and its takeover would
 * come up to a lease later than the docs promise. The lease is the one `node` runs with (`leaseMs`,
 * this node's, when its heartbeat does not say): it renews every third of its own lease, so a
 * shorter one (nodes configured differently, as in a rolling deploy that changes `leaseSeconds`)
 * would run out while it runs the execution, and another node would claim it from there.
 */
export function placedLeaseUntil(ctx: EngineContext, node: string, now: number, leaseMs: number): number {
  const heartbeat = node === ctx.nodeId ? undefined : ctx.heartbeats.get(node);
  if (heartbeat === undefined) return now + leaseMs;
  const lease = heartbeat.leaseMs ?? leaseMs;
  return Math.min(now + lease, heartbeat.at + lease);
}

/** The lease length, in ms, a node's heartbeat says it runs with; undefined when it does not say. */
export function leaseOf(node: NodeRecord): number | undefined {
  const seconds = node.info.leaseSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.ceil(seconds * 1000)
    : undefined;
}
