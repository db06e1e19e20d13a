/**
 * The renewal of this node's leases, in each housekeeping round: every third of a lease, at once
 * when asked (`LeaseGuard.verify`) or when this node went a whole lease without renewing (it was
 * stalled). The executions held here whose lease another node took meanwhile are stopped before
 * the node's `LeaseGuard` counts its leases valid again.
 * @module
 */
import { intervalPassed } from '../clock.js';
import { UNFINISHED_STATES } from '../store/states.js';
import { type EngineContext, leaseMs } from './context.js';
import type { Scheduler } from './scheduler.js';
import { CLAIM_BATCH } from './takeover.js';

export class LeaseRenewal {
  private lastRenew: number;
  /** Renew (and check ownership) in the next round whatever the time since the last renewal. */
  renewNow = false;
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;

  constructor(ctx: EngineContext, scheduler: Scheduler) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.lastRenew = ctx.clock.now();
  }

  /** The renewal of a round that runs at `now`, if one is due. Throws what the store throws. */
  async run(now: number): Promise<void> {
    const { ctx } = this;
    // Past `validUntil` this node went a whole lease without renewing: others may have taken
    // executions over. Renew what is still ours and stop the rest.
    const lapsed = now > ctx.leases.validUntil;
    // (A last renewal ahead of `now` means the clock was stepped back: renew, so that the
    // stored lease ends a lease from now rather than the size of the step later.)
    if (lapsed || this.renewNow || intervalPassed(now, this.lastRenew, leaseMs(ctx) / 3)) {
      this.renewNow = false;
      const renewed = await ctx.store.renewLeases(ctx.nodeId, now + leaseMs(ctx));
      this.lastRenew = now;
      // Fewer renewed than this node owns in the store: a renewal skips a row another session holds
      // locked. Tried again next round, not a third of a lease later, so that a lock held for a
      // while does not let that lease run out.
      const owned = await this.dropLost();
      if (renewed < owned) this.renewNow = true;
      // Only now: until the lost executions are stopped, runners keep waiting in `verify`.
      ctx.leases.validUntil = now + leaseMs(ctx);
    }
  }

  /**
   * Stops the executions held here whose lease another node took (a newer epoch or another
   * owner in the store): a queued one is let go, a running one halts (its handler is aborted and
   * nothing more is written). Returns how many unfinished executions the store holds as this
   * node's (0 when it holds none here: then there is nothing to lose).
   *
   * Run at every renewal, not only when it renewed fewer leases than this node holds: the store
   * also counts rows this node owns without holding them (placed on it and not adopted yet, given
   * up after a store failure, being created), and such a row made up for a lost one, whose
   * execution went on here until the next renewal, starting a handler (a retry after its backoff)
   * of an execution another node ran.
   */
  private async dropLost(): Promise<number> {
    const { ctx } = this;
    const held = [...this.scheduler.active.values()];
    if (held.length === 0) return 0;
    const ids = await ctx.store.listOwned(ctx.nodeId, held.length + CLAIM_BATCH);
    const owned = new Set(ids);
    for (const ex of held) {
      if (owned.has(ex.id) || ex.halted || this.scheduler.get(ex.id) !== ex) continue;
      // Not among this node's unfinished executions: read it to be sure (it may have just finished
      // or just been created here).
      const stored = (await ctx.store.getExecution(ex.id))?.execution;
      if (stored) {
        if (stored.owner === ctx.nodeId && stored.epoch === ex.record.epoch) continue;
        ctx.logger.warn(
          { executionId: ex.id, nodeId: ctx.nodeId, owner: stored.owner },
          'lease lost; another node runs this execution now',
        );
      } else {
        // Not stored yet (its create is under way), or it ended here and was deleted since. Else
        // another node took it over, ended it, and retention deleted it: stopped as a lost lease.
        if (ctx.creating.has(ex.id) || !UNFINISHED_STATES.has(ex.record.status)) continue;
        ctx.logger.warn(
          { executionId: ex.id, nodeId: ctx.nodeId },
          'lease lost; the execution ended on another node and was deleted (retention)',
        );
      }
      ex.stop('lease');
      if (this.scheduler.dequeue(ex)) {
        // Never started: the scheduler's exit, which counts a lost execution as the others', does not run.
        ctx.metrics.disown(ex.record);
        ex.markDone();
      }
    }
    return ids.length;
  }
}
