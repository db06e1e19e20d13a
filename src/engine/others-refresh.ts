/**
 * Keeps a node's metrics store-wide on a durable store other processes may share (more nodes, a
 * CLI `orchestrator run`): re-reads the counts of the executions the other processes hold (see
 * `Metrics`), in housekeeping, never on a step's path. A read happens at most once per
 * `sweepInterval`, and only when it may tell something new: another process wrote (when the store
 * can tell, as SQLite can), or executions moved between this node and the others. It is also spaced
 * by its own cost, so that on a large store it takes at most 1/{@link COST_SHARE} of the time: by
 * the cheaper of the last two reads, as a read the process was stopped in (SIGSTOP, a paused VM,
 * a long GC) counts the whole stall as its cost, and spacing by that alone left the counts stale
 * for {@link COST_SHARE} times the stall. A store slow for real makes both reads slow (the first
 * read, with no earlier one, is followed by a sweep interval).
 * @module
 */
import { intervalPassed } from '../clock.js';
import type { EngineContext } from './context.js';

/** A read waits at least this many times its last duration after it. */
const COST_SHARE = 50;

export class OthersRefresh {
  /** When the last read ended (null: none yet), and the gap the next one keeps after it. */
  private last: number | null = null;
  private gap = 0;
  /** What the previous read took (ms); before the first, 0: that one is followed by a sweep interval. */
  private lastCost = 0;
  private readonly ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  /** Re-reads the others' counts if one is due. Throws what the store throws. */
  async run(): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    if (!ctx.store.durable || (this.last !== null && !intervalPassed(now, this.last, this.gap))) return;
    const moved = ctx.metrics.takeOthersMoved();
    // Whether a read is owed: once `changedElsewhere` has answered, a change it reported is
    // reported no more, so a read that fails must be owed again.
    let owed = moved;
    try {
      const changed = ctx.store.changedElsewhere ? await ctx.store.changedElsewhere() : true;
      if (!moved && !changed) return;
      owed = true;
      const started = performance.now();
      ctx.metrics.setOthers(await ctx.store.aggregateByWorkflow({ exceptOwner: ctx.nodeId }));
      const took = performance.now() - started;
      const cost = Math.min(took, this.lastCost);
      this.lastCost = took;
      this.last = now;
      this.gap = Math.max(ctx.config.sweepInterval * 1000, COST_SHARE * cost);
    } catch (error) {
      if (owed) ctx.metrics.markOthersMoved();
      throw error;
    }
  }
}
