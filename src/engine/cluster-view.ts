/**
 * Cluster mode: this node's view of the cluster, refreshed in housekeeping. The live nodes become
 * the balancer's workers with their stored loads (re-read while this node places executions on
 * others: see `placed-loads.ts`), and the stored load of the whole cluster sizes this node's share
 * of the orphans it claims (see `takeover.ts`).
 * @module
 */
import { type EngineContext, leaseMs } from './context.js';
import { ownerKnownDead } from './owners.js';
import { PlacedLoads } from './placed-loads.js';
import { leaseOf, placingOn } from './placement.js';
import type { Scheduler } from './scheduler.js';

export class ClusterView {
  /** Re-reads of the loads while this node places executions on others. */
  readonly placedLoads: PlacedLoads;
  /** From the last refresh: nodes counted live, and their (and orphans') stored load. */
  private live = 1;
  private stored = 0;
  private storedHere = 0;
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;

  constructor(ctx: EngineContext, scheduler: Scheduler, stopped: () => boolean) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.placedLoads = new PlacedLoads(
      ctx,
      (loads) => this.applyLoads(loads, new Set(ctx.loadBalancer.getWorkers())),
      stopped,
    );
  }

  /** Nodes counted live at the last refresh (this one included). */
  get liveCount(): number {
    return this.live;
  }

  /** The stored load of every owner, dead ones included, at the last read. */
  get clusterLoad(): number {
    return this.stored;
  }

  /** This node's stored load at the last read. */
  get ownLoad(): number {
    return this.storedHere;
  }

  /**
   * Cluster mode: live nodes (a heartbeat within a lease, and not a dead process on this host)
   * become the balancer's workers, with their stored load plus the placements this node is still
   * creating there. This node's own executions are tracked by the balancer itself; only those placed
   * here and not adopted yet are added from the store.
   */
  async refresh(): Promise<void> {
    const { ctx } = this;
    const lb = ctx.loadBalancer;
    const live = await ctx.store.listNodes(ctx.clock.now() - leaseMs(ctx));
    // Not a placement target: a node outside cluster mode (it never adopts placements) or one
    // draining before it closes.
    const targets = live.filter((n) => n.info.cluster !== false && n.info.draining !== true);
    const liveIds = new Set(targets.map((n) => n.id).filter((id) => !ownerKnownDead(id, ctx.store)));
    ctx.heartbeats.clear();
    for (const n of targets) {
      ctx.heartbeats.set(n.id, { at: n.lastHeartbeat, leaseMs: leaseOf(n), capacity: n.capacity });
    }
    ctx.nodeHandlers.update(targets);
    liveIds.add(ctx.nodeId);
    for (const id of liveIds) lb.addWorker(id);
    for (const id of lb.getWorkers()) if (!liveIds.has(id)) lb.removeWorker(id);
    const readAt = ctx.clock.now();
    const loads = await this.placedLoads.read();
    // Null: a background read that started after this one was applied meanwhile (newer loads).
    if (loads !== null) this.applyLoads(loads, liveIds);
    this.placedLoads.noteRead(readAt);
    this.placedLoads.readAgainIfMissed();
    this.live = liveIds.size;
  }

  /**
   * The balancer's loads of the nodes in `liveIds` from a read of the stored loads: each node's
   * stored load plus the placements this node is still creating there (this node's own executions
   * are tracked by the balancer itself).
   */
  private applyLoads(loads: Record<string, number>, liveIds: ReadonlySet<string>): void {
    const { ctx } = this;
    const lb = ctx.loadBalancer;
    let total = 0;
    for (const n of Object.values(loads)) total += n;
    for (const id of liveIds) {
      const stored = ownLoad(loads, id);
      const own = id === ctx.nodeId ? Math.max(0, stored - this.scheduler.active.size) : stored;
      lb.setExternalLoad(id, own + placingOn(ctx, id));
    }
    this.stored = total;
    this.storedHere = ownLoad(loads, ctx.nodeId);
  }
}

/**
 * The stored load of `node`, 0 when it has none: an own entry only, so that a node id such as
 * `constructor` or `toString` is not read from `Object.prototype` (a store may give a plain object).
 */
function ownLoad(loads: Record<string, number>, node: string): number {
  return Object.hasOwn(loads, node) ? (loads[node] ?? 0) : 0;
}
