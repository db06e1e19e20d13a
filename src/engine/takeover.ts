/**
 * How executions come to this node from the store, for `adoption.ts` to run: orphans claimed
 * (their owner's lease ran out, or its process on this host is dead), executions of this node's
 * own taken up again (`retake`: held under its id when it started, or given up by their runner
 * after a store failure), and in cluster mode those other nodes placed on it.
 * @module
 */
import { intervalPassed } from '../clock.js';
import { UNFINISHED_STATES } from '../store/states.js';
import type { ExecutionRecord } from '../store/store.js';
import { type Adoption, workerless } from './adoption.js';
import { freeSlots } from './capable-nodes.js';
import type { ClusterView } from './cluster-view.js';
import { type EngineContext, leaseMs } from './context.js';
import type { DefinitionRegistry } from './definitions.js';
import { ownerKnownDead } from './owners.js';
import { type Accepted, acceptedAfter, type Scheduler } from './scheduler.js';

/** The most executions one claim takes; also the margin of the lists of executions this node owns. */
export const CLAIM_BATCH = 500;

export class Takeover {
  /** Claims under way (a cancel claims outside the rounds). */
  private readonly claims = new Set<Promise<number>>();
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;
  private readonly definitions: DefinitionRegistry;
  private readonly adoption: Adoption;
  private readonly cluster: ClusterView;
  private readonly stopped: () => boolean;

  constructor(
    ctx: EngineContext,
    scheduler: Scheduler,
    definitions: DefinitionRegistry,
    adoption: Adoption,
    cluster: ClusterView,
    stopped: () => boolean,
  ) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.definitions = definitions;
    this.adoption = adoption;
    this.cluster = cluster;
    this.stopped = stopped;
  }

  /**
   * Takes over every orphaned execution now (crash recovery at start). A configured node id may
   * still hold executions from an earlier run (it crashed): `held`, read with the counts this
   * node started from (see `owned-at-start.ts`), so taking them over again must not count them
   * twice.
   */
  async recover(held: readonly ExecutionRecord[] = []): Promise<number> {
    if (!this.ctx.store.durable) return 0;
    let total = 0;
    if (held.length > 0) {
      // Kept as counted (what leaves this node's counts if another node takes one first: `retake`).
      for (const execution of held) this.adoption.heldAtStart.set(execution.id, execution);
      // They are this node's: taken up again now. Left to wait for their lease to run out they
      // would wait forever, as this node renews every lease its id holds.
      total += await this.retake(held.map((execution) => execution.id));
    }
    for (;;) {
      const n = await this.claim();
      total += n;
      // In cluster mode a node takes its share per round; the next rounds take the rest.
      if (n < CLAIM_BATCH || this.ctx.cluster) break;
    }
    if (!this.ctx.cluster) await this.tellHeldElsewhere();
    return total;
  }

  /**
   * Outside cluster mode, says at start which executions another process still holds, and so are
   * not resumed yet: a process that died in another pid namespace or on another host (whose lock,
   * if any, does not tell) keeps them until its leases run out. Nothing said it, so a restart
   * looked stuck for the lease's length.
   */
  private async tellHeldElsewhere(): Promise<void> {
    const { ctx } = this;
    const load = await ctx.store.loadByOwner();
    for (const owner of Object.keys(load)) {
      if (owner === ctx.nodeId || !Object.hasOwn(load, owner)) continue;
      ctx.logger.info(
        { owner, executions: load[owner] },
        'executions held by another process are resumed here once its leases run out, unless it renews them',
      );
    }
  }

  /** Resolves when the claims under way have settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.claims]);
  }

  /**
   * Cluster mode: runs executions other nodes placed on this node. The list (oldest first) is
   * made long enough to reach past the executions held here, which come first: with a limit of
   * one batch, a node holding a batch or more would not see newer placements until it held fewer.
   */
  async adoptPlaced(): Promise<void> {
    const { ctx } = this;
    const unknown = await this.unadopted();
    if (unknown.length === 0 || this.stopped()) return;
    // Read after the list, all in one query: an execution this node ran may have finished (and
    // left the scheduler) in between; `adopt` leaves a finished one alone.
    for (const snapshot of await ctx.store.getExecutions(unknown)) {
      if (this.stopped()) break;
      if (snapshot.execution.owner !== ctx.nodeId) continue;
      await this.adoption.adopt(snapshot.execution, snapshot, 'placed');
    }
    await this.adoption.releaseUnrunnable();
  }

  /**
   * Draining before a close, this node adopts nothing: it lets go of the executions stored as its
   * own that it does not hold — placed here by a node that had not read its `draining` mark yet
   * (or created here just as the close came) — so that the others claim them now (the release
   * wakes them) rather than once the grace ended and the close released every lease.
   */
  async releasePlaced(): Promise<void> {
    const unknown = await this.unadopted();
    if (unknown.length > 0) await this.ctx.store.releaseLeases(this.ctx.nodeId, unknown);
  }

  /** Executions stored as this node's that it neither holds, nor is creating, nor takes up again. */
  private async unadopted(): Promise<string[]> {
    const { ctx } = this;
    const ids = await ctx.store.listOwned(ctx.nodeId, this.scheduler.active.size + CLAIM_BATCH);
    // An abandoned one (its runner gave it up after a store failure) is taken up again by
    // `retake`, under a new epoch; starting it here too would be fenced off at once.
    return ids.filter(
      (id) => !this.scheduler.get(id) && !ctx.creating.has(id) && !this.scheduler.ownsUnrun(id),
    );
  }

  /** Takes up again the given abandoned executions, unless another node has them by now. */
  async retake(ids: string[]): Promise<number> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const claimed = await ctx.store.claimExecutions({
      owner: ctx.nodeId,
      leaseUntil: now + leaseMs(ctx),
      now,
      staleOwners: [ctx.nodeId],
      ids,
      limit: ids.length,
      ...claimedWorker(ctx),
    });
    // Given up by its runner in this process: what it had running was not cut short by a process
    // stopping (see `ActiveExecution.retaken`).
    const givenUp = new Set(ids.filter((id) => this.scheduler.abandoned.has(id)));
    // Each leaves this node's counts as it was counted when given up: one another node has by now
    // (or finished) is counted among the others' from now on; one taken up again is counted here
    // again (`adopt`) as stored, which its runner starts from.
    for (const id of ids) {
      const counted = this.scheduler.abandoned.get(id);
      this.scheduler.abandoned.delete(id);
      this.scheduler.notStarted.delete(id);
      if (counted) ctx.metrics.disown(counted);
    }
    // Not claimed: another node has it, it finished, or the claim skipped its row, locked by
    // another transaction (a cancel request being written, an admin's session). Skipped, it is
    // still this node's: kept to be taken up again, unless the store says otherwise.
    const taken = new Set(claimed.map((record) => record.id));
    const skipped = ids.filter((id) => !taken.has(id));
    for (const id of skipped) this.scheduler.notStarted.add(id);
    await this.adoption.adoptClaimed(claimed, givenUp);
    if (skipped.length > 0) {
      const stored = new Map(
        (await ctx.store.getExecutions(skipped)).map((snapshot) => [
          snapshot.execution.id,
          snapshot.execution,
        ]),
      );
      for (const id of skipped) {
        const record = stored.get(id);
        if (!record || record.owner !== ctx.nodeId || !UNFINISHED_STATES.has(record.status)) {
          this.scheduler.notStarted.delete(id);
          this.scheduler.retakeBackoff.forget(id);
          // Held under this node's id at start, and claimed by another node before this one took it
          // up again: counted among the others' from now on, as it was counted at start.
          const counted = this.adoption.heldAtStart.get(id);
          this.adoption.heldAtStart.delete(id);
          if (counted && record?.owner !== ctx.nodeId) ctx.metrics.disown(counted);
        }
      }
    }
    await this.adoption.releaseUnrunnable();
    return claimed.length;
  }

  /**
   * Cluster mode: the last round claimed as many as it asked for, so more orphans may wait (a
   * backlog after a restart, a dead node's executions). The lease keeper claims again once this
   * node has run down what it took, rather than a sweep interval later (a lone node worked
   * through 2,000 executions left after a restart at ≈80 a second, idle between rounds).
   */
  moreToClaim = false;

  /**
   * With {@link moreToClaim}: the middle execution of the last batch, by acceptance. Once it has
   * started, half the batch ran, and the next one is claimed while the rest runs: orphans older
   * than the work accepted here meanwhile must be queued before the batch runs out, else that work
   * (queued behind the batch) starts first.
   */
  claimMark: { readonly started: boolean } | undefined;

  /** With {@link moreToClaim}: the newest execution of the last batch, by acceptance. */
  private claimedUpTo: Accepted | null = null;

  /** When a round last claimed the one orphan it takes with no slot or share left (see `claimLimit`). */
  private lastOneAt = Number.NEGATIVE_INFINITY;

  /**
   * Claims one batch of orphans and hands them to the scheduler. None once stopped; `stop` waits
   * for the claims under way (a cancel's), so the shutdown halts and releases what they took.
   */
  async claim(ids?: string[]): Promise<number> {
    if (this.stopped()) return 0;
    // A round: more to claim only if this one takes a whole batch (else, or if it fails, the
    // executions held back for it start).
    if (!ids) this.moreToClaim = false;
    const claiming = this.claimBatch(ids);
    this.claims.add(claiming);
    try {
      return await claiming;
    } finally {
      this.claims.delete(claiming);
      // While more of a backlog waits in the store, executions accepted after what was claimed
      // wait for the next round: they would start before older ones still to be claimed.
      if (!ids) this.scheduler.holdAfter(this.moreToClaim ? this.claimedUpTo : null);
    }
  }

  private async claimBatch(ids?: string[]): Promise<number> {
    const { ctx } = this;
    // Among the given ids, executions this node gave up after a store failure (or claimed and could
    // not start) are still its own (no other node may claim them while its lease runs): taken up
    // again at once.
    const mine = ids?.filter((id) => this.scheduler.ownsUnrun(id)) ?? [];
    const retaken = mine.length > 0 ? await this.retake(mine) : 0;
    if (ids && mine.length === ids.length) return retaken;
    // With no worker to place them on, this node leaves orphans to the nodes that have one.
    if (workerless(ctx)) return retaken;
    // A version skipped for want of a stored definition is claimed again once the definition is.
    await this.adoption.unrunnable.reread((id, version) => this.definitions.version(id, version));
    const owners = await ctx.store.listOwners();
    const staleOwners = owners.filter((owner) => owner !== ctx.nodeId && ownerKnownDead(owner, ctx.store));
    const now = ctx.clock.now();
    // This node's own leases may have run out since it last renewed them (the round was held up
    // for longer than a lease: a slow store, a starved process): a claim now would take its own
    // running executions as orphans, under a new epoch their runners do not hold. The next round
    // renews first (and stops what others took meanwhile), then claims.
    if (now > ctx.leases.validUntil) return retaken;
    const limit = ids ? CLAIM_BATCH : await this.claimLimit();
    if (limit === 0) return retaken;
    const claimed = await ctx.store.claimExecutions({
      owner: ctx.nodeId,
      leaseUntil: now + leaseMs(ctx),
      now,
      staleOwners,
      limit,
      ...(ids ? { ids: ids.filter((id) => !mine.includes(id)) } : {}),
      skip: this.adoption.unrunnable.skipped(),
      ...claimedWorker(ctx),
    });
    await this.adoption.adoptClaimed(claimed);
    await this.adoption.releaseUnrunnable();
    // Only once they are adopted: a round woken meanwhile (executions end while others are still
    // being adopted) took those not adopted yet for placed here, and counted them twice.
    if (!ids) {
      this.moreToClaim = ctx.cluster && claimed.length >= limit;
      const mid = claimed[Math.floor(claimed.length / 2)];
      this.claimMark = this.moreToClaim && mid ? this.scheduler.get(mid.id) : undefined;
      this.claimedUpTo = newest(claimed);
    }
    if (claimed.length > 0) ctx.logger.info({ count: claimed.length }, 'resumed executions from the store');
    return retaken + claimed.length;
  }

  /**
   * How many orphans to claim in one round. Cluster mode: this node's fair share of the work (the
   * stored load of all owners, dead ones included, and of the executions nobody owns, over the live
   * nodes, minus what it holds), or its free slots if more, and at least one so orphans always make
   * progress (while another live node has a free slot, at most one a sweep interval). The other
   * live nodes claim the rest in their rounds. Otherwise: a whole batch.
   *
   * The unowned ones count: a node that closed let its queued executions go unowned, and a node
   * restarted after it claimed them only as its slots came free. New work kept the slots busy and
   * ran first, so the executions accepted before the restart waited, about one a round, and timed
   * out before they started.
   */
  private async claimLimit(): Promise<number> {
    const { ctx } = this;
    if (!ctx.cluster) return CLAIM_BATCH;
    const free = ctx.config.maxConcurrentWorkflows - this.scheduler.runningCount - this.scheduler.queuedCount;
    const unowned = (await ctx.store.countUnowned?.()) ?? 0;
    const fair =
      Math.ceil((this.cluster.clusterLoad + unowned) / this.cluster.liveCount) - this.cluster.ownLoad;
    if (free > 0 || fair > 0) return Math.min(CLAIM_BATCH, Math.max(free, fair));
    // Neither a free slot nor a share left here: one, so that orphans always move. While another
    // live node has a free slot, at most one a sweep interval, not in every round woken early:
    // that node claims them (this node would queue them while its slots sat idle), unless it
    // cannot run them, which this node cannot tell.
    const now = ctx.clock.now();
    if (this.othersHaveRoom() && !intervalPassed(now, this.lastOneAt, ctx.config.sweepInterval * 1000)) {
      return 0;
    }
    this.lastOneAt = now;
    return 1;
  }

  /** Whether another live node has a free slot, as this node's view of the cluster has it. */
  private othersHaveRoom(): boolean {
    const { ctx } = this;
    return ctx.loadBalancer.getWorkers().some((id) => id !== ctx.nodeId && freeSlots(ctx, id) > 0);
  }
}

/**
 * In cluster mode the nodes are the workers: an execution this node claims is stored under it at
 * once (`ClaimRequest.worker`), not under the node it was taken from until it starts here.
 */
function claimedWorker(ctx: EngineContext): { worker?: string } {
  return ctx.cluster ? { worker: ctx.nodeId } : {};
}

/** The execution of `records` accepted last, or null when there is none. */
function newest(records: readonly ExecutionRecord[]): Accepted | null {
  let last: Accepted | null = null;
  for (const r of records) if (last === null || acceptedAfter(r, last)) last = r;
  return last;
}
