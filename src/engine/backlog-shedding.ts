/**
 * Cluster mode: a node whose queue holds far more than its share of the cluster's work hands the
 * oldest of its never-started executions over to the live nodes far below theirs — a node that
 * just joined, or was restarted, beside one with a backlog. Placement only spreads new
 * submissions, and a claim takes only orphans: before this, a node scaled out to work through a
 * backlog took none of it, and sat idle while the busy node ran it one slot at a time.
 *
 * Each node's share is the cluster's load (running and queued executions) split by slots
 * (`maxConcurrentWorkflows`, as heartbeats say). A node sheds when its load is above its share and
 * another live node is below its own by more than the balance threshold (what `isBalanced()`
 * allows: 0.3 of it, or `alerts.imbalanceThreshold` when lower): as many as bring it down to its
 * share, each receiver no more than it lacks. The threshold keeps nodes near their shares from
 * trading executions. A receiver must advertise every handler the execution names and read its
 * definition format, and its heartbeat must be fresh; a node that advertises no handlers (an
 * earlier release) gets none.
 *
 * The executions are handed over as placement places them (`Store.handOver`: owner the receiver,
 * a lease ending a lease after its last heartbeat, a new epoch; on PostgreSQL a NOTIFY wakes it),
 * not released for any node to claim: a release let the nodes' claims, which split the work by
 * count rather than slots, take them back and forth, and let a node that cannot run them take them.
 * What was running is never moved, nor an execution that ran before (its status is no longer
 * `pending`), nor one with a cancel requested. The oldest go, not the newest: a receiver with room
 * starts them at once, rather than after the busy node's slots free up, and the batches of later
 * rounds, newer than those before, start after them there (handed the newest first, a receiver
 * got older executions after it had started newer ones).
 * @module
 */
import { DEFAULT_BALANCE_THRESHOLD } from '../balancing/load-balancer.js';
import { toError } from '../errors.js';
import type { ActiveExecution } from './active-execution.js';
import { capacityOf, renewsTooLate } from './capable-nodes.js';
import { type EngineContext, leaseMs } from './context.js';
import { placedLeaseUntil } from './placement.js';
import type { Scheduler } from './scheduler.js';
import { CLAIM_BATCH } from './takeover.js';

/** A live node's load and slots, as this node's view of the cluster has them. */
export interface NodeLoad {
  readonly id: string;
  readonly load: number;
  readonly slots: number;
}

/** A node executions may be handed to, and how many it lacks of its share. */
export interface Receiver {
  readonly id: string;
  readonly room: number;
}

/**
 * How many executions `self` should hand over, and to which nodes (those `eligible` below their
 * share by more than `threshold` of it), with the room each has. None when `self` is not above its
 * share by one at least, or no eligible node is below its own by as much.
 */
export function shedPlan(
  nodes: readonly NodeLoad[],
  self: string,
  threshold: number,
  eligible: (id: string) => boolean = () => true,
): { count: number; receivers: Receiver[] } {
  const none = { count: 0, receivers: [] };
  let load = 0;
  let slots = 0;
  for (const n of nodes) {
    load += n.load;
    slots += n.slots;
  }
  const own = nodes.find((n) => n.id === self);
  if (!own || slots <= 0 || load <= 0) return none;
  const share = (n: NodeLoad) => (load * n.slots) / slots;
  const ownShare = share(own);
  if (own.load - ownShare < 1) return none;
  let room = 0;
  const receivers: Receiver[] = [];
  for (const n of nodes) {
    if (n.id === self || !eligible(n.id)) continue;
    const s = share(n);
    if (n.load >= s * (1 - threshold) - 1e-9) continue;
    const lacks = Math.floor(s - n.load);
    if (lacks <= 0) continue;
    room += lacks;
    receivers.push({ id: n.id, room: lacks });
  }
  const count = Math.min(Math.floor(own.load - ownShare), room);
  return count > 0 ? { count, receivers } : none;
}

export class BacklogShedding {
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;

  constructor(ctx: EngineContext, scheduler: Scheduler) {
    this.ctx = ctx;
    this.scheduler = scheduler;
  }

  /**
   * One round: hands over what {@link shedPlan} says (at most a claim's batch), and returns how
   * many executions were handed over. Call after the cluster view was refreshed.
   */
  async run(): Promise<number> {
    const { ctx } = this;
    const store = ctx.store;
    if (!ctx.cluster || !store.handOver || ctx.lifecycle.draining || this.scheduler.queuedCount === 0) {
      return 0;
    }
    const lb = ctx.loadBalancer;
    const now = ctx.clock.now();
    const nodes = lb.getWorkers().map((id) => ({ id, load: lb.getLoad(id), slots: capacityOf(ctx, id) }));
    const threshold = Math.min(DEFAULT_BALANCE_THRESHOLD, ctx.config.alerts.imbalanceThreshold);
    // Not to a node that advertises no handlers (an earlier release: it may lack one), nor to one
    // whose heartbeat, as read here, is too old to trust it is there.
    const eligible = (id: string) => !ctx.nodeHandlers.isSilent(id) && !renewsTooLate(ctx, id, now);
    const plan = shedPlan(nodes, ctx.nodeId, threshold, eligible);
    if (plan.count === 0) return 0;
    // Each execution to the first receiver with room left that can run it.
    const room = new Map(plan.receivers.map((r) => [r.id, r.room]));
    const to = new Map<ActiveExecution, string>();
    const assign = (ex: ActiveExecution) => {
      const lacking = ctx.nodeHandlers.lacking(ex.plan);
      for (const [id, left] of room) {
        if (left <= 0 || lacking.has(id)) continue;
        room.set(id, left - 1);
        to.set(ex, id);
        return true;
      }
      return false;
    };
    const taken = this.scheduler.shed(Math.min(plan.count, CLAIM_BATCH), assign);
    if (taken.length === 0) return 0;
    const byReceiver = new Map<string, ActiveExecution[]>();
    for (const ex of taken) {
      const id = to.get(ex)!;
      const list = byReceiver.get(id);
      if (list) list.push(ex);
      else byReceiver.set(id, [ex]);
    }
    let handed = 0;
    for (const [receiver, list] of byReceiver) {
      const ids = list.map((ex) => ex.id);
      let done = new Set<string>();
      try {
        const leaseUntil = placedLeaseUntil(ctx, receiver, ctx.clock.now(), leaseMs(ctx));
        done = new Set(await store.handOver({ from: ctx.nodeId, to: receiver, ids, leaseUntil }));
      } catch (error) {
        ctx.logger.warn(
          { count: ids.length, to: receiver, err: toError(error) },
          'handing queued executions over to another node failed; they are taken up again here',
        );
      }
      // Counted on the receiver from now on (its load here, until the next read of the loads).
      if (done.size > 0) lb.addExternalLoad(receiver, done.size);
      for (const ex of list) {
        // Not handed over (the store failed, or it is no longer pending here): still this node's,
        // or another's by now; taken up again in the next round, which finds out.
        if (!done.has(ex.id)) this.scheduler.notStarted.add(ex.id);
        // Counted among the others' from now on; taken up again here, it is counted again.
        ctx.metrics.disown(ex.record);
        ex.markDone();
      }
      if (done.size > 0) {
        ctx.logger.info(
          { count: done.size, to: receiver },
          'handed queued executions over to a node below its share of the work',
        );
      }
      handed += done.size;
    }
    return handed;
  }
}
