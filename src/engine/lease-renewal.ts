/**
 * The renewal of this node's leases, in each housekeeping round: every third of a lease, at once
 * when asked (`LeaseGuard.verify`) or when this node went a whole lease without renewing (it was
 * stalled). The executions held here whose lease another node took meanwhile are stopped before
 * the node's `LeaseGuard` counts its leases valid again.
 *
 * The store says which leases it renewed. A held execution it left out is checked in the store
 * (one read for them all): lost, it is stopped; still this node's (its row was locked by another
 * session, which a PostgreSQL renewal skips), its lease is known valid only until the end this node
 * last stored for it (`ExecutionRecord.leaseUntil` of its runner), past which its runner confirms
 * it before it starts another attempt (`confirmLease`), and the renewal is tried again next round.
 *
 * A row stored as this node's that it does not hold yet (placed here, not adopted) is not checked:
 * nothing runs it here, and adopting it lowers `LeaseGuard.validUntil` to its lease (a renewal may
 * have skipped it), so past that lease runners confirm before they start a handler. The round
 * within two `sweepInterval`s of `validUntil` renews (see {@link endsSoon}), so such a lease is
 * renewed before it runs out rather than in the round after (another node could claim it from
 * under the handler running here meanwhile: the step would run twice).
 * @module
 */
import { intervalPassed } from '../clock.js';
import { UNFINISHED_STATES } from '../store/states.js';
import type { ActiveExecution } from './active-execution.js';
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
    if (
      lapsed ||
      this.renewNow ||
      endsSoon(now, ctx.leases.validUntil, ctx.config.sweepInterval * 1000) ||
      intervalPassed(now, this.lastRenew, leaseMs(ctx) / 3)
    ) {
      this.renewNow = false;
      const until = now + leaseMs(ctx);
      const renewed = await this.renewedIds(await ctx.store.renewLeases(ctx.nodeId, until));
      this.lastRenew = now;
      // A held execution still this node's was left out: the renewal skipped its row, locked by
      // another session. Tried again next round, not a third of a lease later, so that a lock held
      // for a while does not let that lease run out.
      if (await this.dropLost(renewed, until)) this.renewNow = true;
      // Only now: until the lost executions are stopped, runners keep waiting in `verify`.
      ctx.leases.validUntil = until;
    }
  }

  /**
   * The ids `renewLeases` answered. A custom store written before it listed them answers how many
   * it renewed: then those it lists as this node's count as renewed, as they did before (a row such
   * a store skipped goes unnoticed until its lease is lost), and fewer renewed than listed is
   * tried again next round.
   */
  private async renewedIds(answer: readonly string[] | number): Promise<ReadonlySet<string>> {
    if (typeof answer !== 'number') return new Set(answer);
    const { ctx } = this;
    if (this.scheduler.active.size === 0) return new Set();
    const owned = await ctx.store.listOwned(ctx.nodeId, this.scheduler.active.size + CLAIM_BATCH);
    if (answer < owned.length) this.renewNow = true;
    return new Set(owned);
  }

  /**
   * Stops the executions held here whose lease another node took (a newer epoch or another
   * owner in the store): a queued one is let go, a running one halts (its handler is aborted and
   * nothing more is written). Those renewed lease until `until` from now on. Returns whether an
   * unfinished one still this node's was not renewed (its row was skipped).
   *
   * Each held execution is checked against the leases renewed, by id, not by count: the store
   * also holds rows under this node's id that it does not hold (placed on it and not adopted yet,
   * given up after a store failure, being created), and such a row made up for a lost one, whose
   * execution went on here until the next renewal, starting a handler (a retry after its backoff)
   * of an execution another node ran.
   */
  private async dropLost(renewed: ReadonlySet<string>, until: number): Promise<boolean> {
    const { ctx } = this;
    const left: ActiveExecution[] = [];
    for (const ex of this.scheduler.active.values()) {
      if (renewed.has(ex.id)) ex.record.leaseUntil = until;
      else if (!ex.halted && this.scheduler.get(ex.id) === ex) left.push(ex);
    }
    if (left.length === 0) return false;
    // Left out: read to be sure (one may have just finished or just been created here).
    const stored = new Map(
      (await ctx.store.getExecutions(left.map((ex) => ex.id))).map((s) => [s.execution.id, s.execution]),
    );
    let skipped = false;
    for (const ex of left) {
      if (ex.halted || this.scheduler.get(ex.id) !== ex) continue;
      const record = stored.get(ex.id);
      if (record) {
        if (record.owner === ctx.nodeId && record.epoch === ex.record.epoch) {
          if (UNFINISHED_STATES.has(record.status)) skipped = true;
          continue;
        }
        // Under a newer epoch of this node's own: a claim here took it after its lease ran out
        // (see `Scheduler.reclaimed`); the runner of the older one stops as for another node's.
        ctx.logger.warn(
          { executionId: ex.id, nodeId: ctx.nodeId, owner: record.owner },
          record.owner === ctx.nodeId
            ? 'lease lost; this node claimed the execution again, and runs it under the newer lease'
            : 'lease lost; another node runs this execution now',
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
    return skipped;
  }
}

/**
 * Whether the leases this node knows valid until `validUntil` end within two rounds of `now`
 * (`sweepMs` apart): then this round renews them rather than the one after it. A lease of its own
 * renewal ends two thirds of a lease after the renewal due next, so this is about the lease of an
 * execution another node placed here, which lowered `validUntil` when it was adopted (see
 * `Adoption`): a placement leaves that lease only a third of a lease, and a renewal may have
 * skipped its row before the adoption (locked by another session; only the executions held then
 * are checked against the ids renewed). Renewed in the round after it ran out, it could be claimed
 * by another node meanwhile, from under the handler running here (the step then runs twice).
 */
function endsSoon(now: number, validUntil: number, sweepMs: number): boolean {
  return validUntil - now <= 2 * sweepMs;
}
