/**
 * Cluster mode: a node whose queue holds far more than its share of the cluster's work hands the
 * newest of its never-started executions over to the live nodes far below theirs — a node that
 * just joined, or was restarted, beside one with a backlog. Placement only spreads new
 * submissions, and a claim takes only orphans: before this, a node scaled out to work through a
 * backlog took none of it, and sat idle while the busy node ran it one slot at a time.
 *
 * Each node's share is the cluster's load (running and queued executions) split by slots
 * (`maxConcurrentWorkflows`, as heartbeats say). A node sheds when its load is above its share and
 * another live node, that has every handler the execution names and reads its definition format,
 * is below its own by more than the balance threshold (what `isBalanced()` allows: 0.3 of it, or
 * `alerts.imbalanceThreshold` when lower): as many as bring it down to its share, no more than the
 * nodes below theirs lack. The threshold keeps nodes near their shares from trading executions. The executions are released
 * (their leases let go: on PostgreSQL that wakes the other nodes at once), and the other nodes
 * claim them as orphans in their next round, oldest first. What was running is never moved, nor an
 * execution that ran before (its status is no longer `pending`), nor one with a cancel requested.
 * @module
 */
import { DEFAULT_BALANCE_THRESHOLD } from '../balancing/load-balancer.js';
import { toError } from '../errors.js';
import type { ActiveExecution } from './active-execution.js';
import { capacityOf, renewsTooLate } from './capable-nodes.js';
import type { EngineContext } from './context.js';
import type { Scheduler } from './scheduler.js';
import { CLAIM_BATCH } from './takeover.js';

/** A live node's load and slots, as this node's view of the cluster has them. */
export interface NodeLoad {
  readonly id: string;
  readonly load: number;
  readonly slots: number;
}

/**
 * How many executions `self` should hand over, and to which nodes: those below their share by more
 * than `threshold` of it. None when `self` is not above its share by one at least, or no node is
 * below its own by as much.
 */
export function shedPlan(
  nodes: readonly NodeLoad[],
  self: string,
  threshold: number,
): { count: number; receivers: string[] } {
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
  const receivers: string[] = [];
  for (const n of nodes) {
    if (n.id === self) continue;
    const s = share(n);
    if (n.load >= s * (1 - threshold) - 1e-9) continue;
    const lacks = Math.floor(s - n.load);
    if (lacks <= 0) continue;
    room += lacks;
    receivers.push(n.id);
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
   * many executions were released. Call after the cluster view was refreshed.
   */
  async run(): Promise<number> {
    const { ctx } = this;
    if (!ctx.cluster || ctx.lifecycle.draining || this.scheduler.queuedCount === 0) return 0;
    const lb = ctx.loadBalancer;
    const now = ctx.clock.now();
    const nodes = lb.getWorkers().map((id) => ({ id, load: lb.getLoad(id), slots: capacityOf(ctx, id) }));
    const threshold = Math.min(DEFAULT_BALANCE_THRESHOLD, ctx.config.alerts.imbalanceThreshold);
    const plan = shedPlan(nodes, ctx.nodeId, threshold);
    // Not to a node that advertises no handlers (an earlier release: it may lack one), nor to one
    // whose heartbeat, as read here, is too old to trust it is there.
    const receivers = plan.receivers.filter(
      (id) => !ctx.nodeHandlers.isSilent(id) && !renewsTooLate(ctx, id, now),
    );
    if (plan.count === 0 || receivers.length === 0) return 0;
    const runsElsewhere = (ex: ActiveExecution) => {
      const lacking = ctx.nodeHandlers.lacking(ex.plan);
      return receivers.some((id) => !lacking.has(id));
    };
    const taken = this.scheduler.shed(Math.min(plan.count, CLAIM_BATCH), runsElsewhere);
    if (taken.length === 0) return 0;
    const ids = taken.map((ex) => ex.id);
    try {
      await ctx.store.releaseLeases(ctx.nodeId, ids);
      ctx.logger.info(
        { count: ids.length, to: receivers },
        'handed queued executions over to nodes below their share of the work',
      );
    } catch (error) {
      // Still this node's in the store, or released: taken up again by the next round, which
      // claims each back unless another node has it by then.
      for (const id of ids) this.scheduler.notStarted.add(id);
      ctx.logger.warn(
        { count: ids.length, err: toError(error) },
        'handing queued executions over to other nodes failed; they are taken up again here',
      );
    }
    // Counted among the others' (unowned) from now on; a claim here or elsewhere counts them again.
    for (const ex of taken) {
      ctx.metrics.disown(ex.record);
      ex.markDone();
    }
    return ids.length;
  }
}
