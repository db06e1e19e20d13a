/**
 * Housekeeping on a timer: heartbeats this node into the registry (and forgets nodes silent for
 * long, see `forget-nodes.ts`), renews its leases, takes
 * over executions whose owner died (expired lease, or a dead process in this pid space) and
 * resumes them from their stored position, adopts executions other nodes placed on it (cluster
 * mode), applies cancel requests made by other processes, refreshes the cluster load, re-reads
 * the metrics of the executions other processes hold (see `others-refresh.ts`), and checks the
 * balance. The same takeover runs once, awaited, when the orchestrator opens: that is crash
 * recovery. A store notification (PostgreSQL NOTIFY) only makes work start sooner: a notice that
 * executions were placed on this node runs a short round that only adopts them (the whole round
 * writes a heartbeat, claims, reads the cluster's load: run for every creation in the cluster it
 * cost a three-node cluster half its throughput), a placement on another node wakes nothing here,
 * and any other notice runs the whole round early. The whole round still runs on its timer.
 *
 * An execution this node lacks handlers for is let go at once (its lease released) for a node that
 * has them, and claims skip its workflow version from then on (see `unrunnable.ts`).
 *
 * It also keeps the node's {@link LeaseGuard}: when this node went longer than a lease without
 * renewing (it was stalled), runners ask it to renew and check ownership before they start another
 * handler, and executions other nodes took over meanwhile are stopped here, not run on.
 * @module
 */
import { intervalPassed, type TimerHandle } from '../clock.js';
import { DEFINITION_FORMAT } from '../definition/format-levels.js';
import { toError } from '../errors.js';
import { UNFINISHED_STATES } from '../store/states.js';
import type { ExecutionRecord, ExecutionSnapshot, NodeRecord, WorkHint } from '../store/store.js';
import { ActiveExecution } from './active-execution.js';
import { advertisedHandlers } from './capable-nodes.js';
import { type EngineContext, type LeaseGuard, leaseMs } from './context.js';
import type { DefinitionRegistry } from './definitions.js';
import { NodeForgetter } from './forget-nodes.js';
import { OthersRefresh } from './others-refresh.js';
import { isDeadLocalOwner } from './owners.js';
import { PlacedLoads } from './placed-loads.js';
import { leaseOf, placingOn } from './placement.js';
import { RetentionPurge } from './retention.js';
import type { Scheduler } from './scheduler.js';
import { missingFor, UnrunnableVersions } from './unrunnable.js';

const CLAIM_BATCH = 500;

/** What housekeeping asks of the engine. */
export interface KeeperHooks {
  /** Cancels an execution this node holds (a cancel request from another process). */
  cancelLocal(ex: ActiveExecution): Promise<unknown>;
  /** Fails queued executions whose workflow timeout passed. */
  expireQueued(): Promise<void>;
}

export class LeaseKeeper {
  private timer: TimerHandle | null = null;
  private lastRenew: number;
  private running: Promise<void> | null = null;
  private stopped = false;
  private woken = false;
  /** What the wake-ups since the last round asked for: the whole round, or adopting only. */
  private wokenFull = false;
  /** A round was asked for while one ran: run another right after it. */
  private again = false;
  /** An adopting round was asked for while one ran: run it right after (unless a whole one runs). */
  private againAdopt = false;
  /**
   * Set by {@link drain}: the node closes with a grace period. Rounds keep renewing leases and
   * heartbeating (marked draining, so other nodes place nothing here) but adopt and claim nothing.
   */
  private draining = false;
  /** Unfinished executions this node's id held when it started, not taken over again yet. */
  private readonly heldAtStart = new Set<string>();
  /** Workflow versions this node lacks handlers for: its claims skip their executions. */
  private readonly unrunnable: UnrunnableVersions;
  /** Executions taken here that this node lacks handlers for, whose lease it has yet to release. */
  private readonly toRelease = new Set<string>();
  /**
   * Executions an `adopt` is reading or setting up, not yet in the scheduler, with the newest claim
   * of each (another claim of this node may take one again meanwhile: its runner needs that epoch).
   */
  private readonly adopting = new Map<string, ExecutionRecord>();
  /** Claims under way (a cancel claims outside the rounds). */
  private readonly claims = new Set<Promise<number>>();
  /** Renew (and check ownership) in the next round whatever the time since the last renewal. */
  private renewNow = false;
  /** Callers of `verify` waiting for the next round to end. */
  private verifyWaiters: (() => void)[] = [];
  /** Re-reads of the loads while this node places executions on others. */
  readonly placedLoads: PlacedLoads;
  /** From the last cluster refresh: nodes counted live, and their (and orphans') stored load. */
  private liveCount = 1;
  private clusterLoad = 0;
  private ownLoad = 0;
  private readonly startedAt: number;
  private unsubscribe: (() => Promise<void>) | null = null;
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;
  private readonly definitions: DefinitionRegistry;
  private readonly engine: KeeperHooks;
  private readonly forgetter: NodeForgetter;
  private readonly others: OthersRefresh;
  private readonly retention: RetentionPurge;

  constructor(
    ctx: EngineContext,
    scheduler: Scheduler,
    definitions: DefinitionRegistry,
    engine: KeeperHooks,
  ) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.definitions = definitions;
    this.engine = engine;
    this.forgetter = new NodeForgetter(ctx.store, ctx.nodeId, this.leaseMs);
    this.others = new OthersRefresh(ctx);
    this.retention = new RetentionPurge(ctx, () => this.stopped);
    this.placedLoads = new PlacedLoads(
      ctx,
      (loads) => this.applyLoads(loads, new Set(ctx.loadBalancer.getWorkers())),
      () => this.stopped,
    );
    this.unrunnable = new UnrunnableVersions(ctx);
    this.lastRenew = ctx.clock.now();
    this.startedAt = ctx.clock.now();
    const guard: LeaseGuard = ctx.leases;
    // Executions created or claimed from now on hold a lease at least this long.
    guard.validUntil = ctx.store.durable ? this.startedAt + this.leaseMs : Number.POSITIVE_INFINITY;
    guard.verify = () => this.verify();
  }

  /**
   * Whether this node has no worker to run executions on: every worker was removed from its
   * balancer (outside cluster mode, where the workers are the live nodes).
   */
  private workerless(): boolean {
    return !this.ctx.cluster && this.ctx.loadBalancer.workerCount === 0;
  }

  private get leaseMs(): number {
    return leaseMs(this.ctx);
  }

  /** Takes over every orphaned execution now (crash recovery at start). */
  async recover(): Promise<number> {
    if (!this.ctx.store.durable) return 0;
    // A configured node id may still hold executions from an earlier run (it crashed): counted as
    // this node's at start already, so taking them over again must not count them twice.
    let total = 0;
    if (this.ctx.config.nodeId !== undefined) {
      const held = await this.ctx.store.listOwned(this.ctx.nodeId, Number.MAX_SAFE_INTEGER);
      for (const id of held) this.heldAtStart.add(id);
      // They are this node's: taken up again now. Left to wait for their lease to run out they
      // would wait forever, as this node renews every lease its id holds.
      if (held.length > 0) total += await this.retake(held);
    }
    for (;;) {
      const n = await this.claim();
      total += n;
      // In cluster mode a node takes its share per round; the next rounds take the rest.
      if (n < CLAIM_BATCH || this.ctx.cluster) return total;
    }
  }

  async start(): Promise<void> {
    if (this.ctx.cluster && this.ctx.store.subscribe) {
      try {
        this.unsubscribe = await this.ctx.store.subscribe('work', (hint) => this.wake(hint));
      } catch (error) {
        this.ctx.logger.warn({ err: toError(error) }, 'store notifications unavailable; polling only');
      }
    }
    this.schedule();
  }

  /**
   * Runs a round soon (coalesced): for `placed` (executions were created) one that only adopts
   * what was placed on this node — nothing if they were placed on another node — else the whole
   * round.
   */
  wake(hint: WorkHint = { kind: 'any' }): void {
    if (this.stopped) return;
    if (hint.kind === 'placed' && hint.owner !== undefined && hint.owner !== this.ctx.nodeId) return;
    if (hint.kind === 'any') this.wokenFull = true;
    if (this.woken) return;
    this.woken = true;
    setImmediate(() => {
      this.woken = false;
      const full = this.wokenFull;
      this.wokenFull = false;
      this.begin(full);
    });
  }

  /**
   * Renews this node's leases and stops the executions it lost, in a round that starts after this
   * call; resolves when that round ended (at once when stopped or without a durable store).
   */
  verify(): Promise<void> {
    if (this.stopped || !this.ctx.store.durable) return Promise.resolve();
    this.renewNow = true;
    return new Promise((resolve) => {
      this.verifyWaiters.push(resolve);
      this.kick();
    });
  }

  /**
   * The node drains before it closes: from the next round (run at once, so the heartbeat tells the
   * other nodes), housekeeping only keeps what runs here alive.
   */
  drain(): void {
    this.draining = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
    await Promise.allSettled([...this.claims]);
    for (const resolve of this.verifyWaiters.splice(0)) resolve();
    await this.unsubscribe?.().catch(() => undefined);
  }

  /** Starts the whole round now, or right after the one running. */
  private kick(): void {
    this.begin(true);
  }

  /**
   * Starts a round now, or right after the one running (a wake-up during a round is not lost):
   * the whole round (`full`), or one that only adopts executions placed here. Only a whole round
   * settles `verify` callers and re-arms the timer.
   */
  private begin(full: boolean): void {
    if (this.stopped) return;
    if (this.running) {
      if (full) this.again = true;
      else this.againAdopt = true;
      return;
    }
    if (full) this.timer?.cancel();
    const waiters = full ? this.verifyWaiters.splice(0) : [];
    this.running = (full ? this.sweep() : this.adoptRound()).finally(() => {
      this.running = null;
      for (const resolve of waiters) resolve();
      if (full) this.schedule();
      if (this.again || this.verifyWaiters.length > 0) {
        this.again = false;
        this.againAdopt = false;
        this.begin(true);
      } else if (this.againAdopt) {
        this.againAdopt = false;
        this.begin(false);
      }
    });
  }

  /** The short round of a `'placed'` wake-up: start what other nodes placed on this node. */
  private async adoptRound(): Promise<void> {
    if (!this.ctx.cluster || !this.ctx.store.durable || this.draining) return;
    try {
      await this.adoptPlaced();
    } catch (error) {
      this.ctx.logger.error({ err: toError(error) }, 'adopting placed executions failed');
    }
  }

  /** This node's registry row. */
  nodeRecord(): NodeRecord {
    return {
      id: this.ctx.nodeId,
      startedAt: this.startedAt,
      lastHeartbeat: this.ctx.clock.now(),
      running: this.scheduler.runningCount,
      queued: this.scheduler.queuedCount,
      capacity: this.ctx.config.maxConcurrentWorkflows,
      // The lease length lets readers of the registry (the CLI) judge the heartbeat's age.
      info: {
        pid: process.pid,
        cluster: this.ctx.cluster,
        leaseSeconds: this.ctx.config.leaseSeconds,
        ...(this.draining ? { draining: true } : {}),
        // Placement sends a node only executions it has every handler for (see capable-nodes.ts).
        ...(this.ctx.cluster ? { handlers: advertisedHandlers(this.ctx) } : {}),
        // Nor versions that need a newer definition format than it reads (see definition/format.ts).
        definitionFormat: DEFINITION_FORMAT,
      },
    };
  }

  /** Writes this node's heartbeat. */
  async heartbeat(): Promise<void> {
    await this.ctx.store.heartbeat(this.nodeRecord());
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.ctx.clock.setTimer(() => this.kick(), this.ctx.config.sweepInterval * 1000, true);
  }

  /** One round of housekeeping; errors are logged, never thrown (a failing sweep must not stop dispatch). */
  async sweep(): Promise<void> {
    const { ctx } = this;
    try {
      if (ctx.store.durable) {
        const now = ctx.clock.now();
        // Past `validUntil` this node went a whole lease without renewing: others may have taken
        // executions over. Renew what is still ours and stop the rest.
        const lapsed = now > ctx.leases.validUntil;
        // (A last renewal ahead of `now` means the clock was stepped back: renew, so that the
        // stored lease ends a lease from now rather than the size of the step later.)
        if (lapsed || this.renewNow || intervalPassed(now, this.lastRenew, this.leaseMs / 3)) {
          this.renewNow = false;
          const renewed = await ctx.store.renewLeases(ctx.nodeId, now + this.leaseMs);
          this.lastRenew = now;
          if (lapsed || renewed < this.scheduler.active.size) await this.dropLost();
          // Fewer renewed than this node holds stored: a renewal skips a row another session holds
          // locked. Tried again next round, not a third of a lease later, so that a lock held for
          // a while does not let that lease run out.
          if (renewed < this.scheduler.active.size - ctx.creating.size) this.renewNow = true;
          // Only now: until the lost executions are stopped, runners keep waiting in `verify`.
          ctx.leases.validUntil = now + this.leaseMs;
        }
        await this.heartbeat();
        const forgotten = await this.forgetter.run(now);
        if (forgotten.length > 0) ctx.logger.info({ nodes: forgotten }, 'forgot nodes silent for long');
        for (const id of await ctx.store.listCancelRequests(ctx.nodeId)) {
          const ex = this.scheduler.get(id);
          if (ex) void this.engine.cancelLocal(ex).catch(() => undefined);
        }
        if (!this.draining) {
          if (ctx.cluster) {
            await this.refreshCluster();
            if (!this.stopped) await this.adoptPlaced();
          }
          if (!this.stopped) await this.claim();
          if (!this.stopped) {
            const unrun = this.scheduler.unrunIds();
            if (unrun.length > 0) await this.retake(unrun);
          }
          if (!this.stopped && this.toRelease.size > 0) await this.releaseUnrunnable();
        }
        if (!this.stopped) await this.others.run();
      }
      await this.engine.expireQueued();
      const lb = ctx.loadBalancer;
      ctx.alerts.checkBalance(
        lb.isBalanced(ctx.config.alerts.imbalanceThreshold),
        lb.activeCount(),
        lb.getLoadDistribution(),
      );
      ctx.alerts.checkRunning(ctx.clock.now(), runningHere(this.scheduler));
      // Last: a failing purge skips nothing else of the round.
      if (!this.stopped) await this.retention.run();
    } catch (error) {
      ctx.logger.error({ err: toError(error) }, 'housekeeping sweep failed');
    }
  }

  /**
   * Cluster mode: live nodes (a heartbeat within a lease, and not a dead process on this host)
   * become the balancer's workers, with their stored load plus the placements this node is still
   * creating there. This node's own executions are tracked by the balancer itself; only those placed
   * here and not adopted yet are added from the store.
   */
  async refreshCluster(): Promise<void> {
    const { ctx } = this;
    const lb = ctx.loadBalancer;
    const live = await ctx.store.listNodes(ctx.clock.now() - this.leaseMs);
    // Not a placement target: a node outside cluster mode (it never adopts placements) or one
    // draining before it closes.
    const targets = live.filter((n) => n.info.cluster !== false && n.info.draining !== true);
    const liveIds = new Set(targets.map((n) => n.id).filter((id) => !isDeadLocalOwner(id)));
    ctx.heartbeats.clear();
    for (const n of targets) ctx.heartbeats.set(n.id, { at: n.lastHeartbeat, leaseMs: leaseOf(n) });
    ctx.nodeHandlers.update(targets);
    liveIds.add(ctx.nodeId);
    for (const id of liveIds) lb.addWorker(id);
    for (const id of lb.getWorkers()) if (!liveIds.has(id)) lb.removeWorker(id);
    const readAt = ctx.clock.now();
    const loads = await this.placedLoads.read();
    // Null: a background read that started after this one was applied meanwhile (newer loads).
    if (loads !== null) this.applyLoads(loads, liveIds);
    this.placedLoads.noteRead(readAt);
    this.liveCount = liveIds.size;
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
      const stored = loads[id] ?? 0;
      const own = id === ctx.nodeId ? Math.max(0, stored - this.scheduler.active.size) : stored;
      lb.setExternalLoad(id, own + placingOn(ctx, id));
    }
    this.clusterLoad = total;
    this.ownLoad = loads[ctx.nodeId] ?? 0;
  }

  /**
   * How many orphans to claim in one round. Cluster mode: this node's fair share of the work (the
   * stored load of all owners, dead ones included, over the live nodes, minus what it holds), or
   * its free slots if more, and at least one so orphans always make progress; the other live nodes
   * claim the rest in their rounds. Otherwise: a whole batch.
   */
  private claimLimit(): number {
    const { ctx } = this;
    if (!ctx.cluster) return CLAIM_BATCH;
    const free = ctx.config.maxConcurrentWorkflows - this.scheduler.runningCount - this.scheduler.queuedCount;
    const fair = Math.ceil(this.clusterLoad / this.liveCount) - this.ownLoad;
    return Math.min(CLAIM_BATCH, Math.max(1, free, fair));
  }

  /**
   * Stops the executions held here whose lease another node took (a newer epoch or another
   * owner in the store): a queued one is let go, a running one halts (its handler is aborted and
   * nothing more is written).
   */
  private async dropLost(): Promise<void> {
    const { ctx } = this;
    const held = [...this.scheduler.active.values()];
    if (held.length === 0) return;
    const owned = new Set(await ctx.store.listOwned(ctx.nodeId, held.length + CLAIM_BATCH));
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
  }

  /**
   * Cluster mode: runs executions other nodes placed on this node. The list (oldest first) is
   * made long enough to reach past the executions held here, which come first: with a limit of
   * one batch, a node holding a batch or more would not see newer placements until it held fewer.
   */
  private async adoptPlaced(): Promise<void> {
    const { ctx } = this;
    const ids = await ctx.store.listOwned(ctx.nodeId, this.scheduler.active.size + CLAIM_BATCH);
    // An abandoned one (its runner gave it up after a store failure) is taken up again by
    // `retake`, under a new epoch; starting it here too would be fenced off at once.
    const unknown = ids.filter(
      (id) => !this.scheduler.get(id) && !ctx.creating.has(id) && !this.scheduler.ownsUnrun(id),
    );
    if (unknown.length === 0 || this.stopped) return;
    // Read after the list, all in one query: an execution this node ran may have finished (and
    // left the scheduler) in between; `adopt` leaves a finished one alone.
    for (const snapshot of await ctx.store.getExecutions(unknown)) {
      if (this.stopped) break;
      if (snapshot.execution.owner !== ctx.nodeId) continue;
      await this.adopt(snapshot.execution, snapshot, 'placed');
    }
    await this.releaseUnrunnable();
  }

  /**
   * For a cancel of an execution this node does not hold: whether this node lacks the handlers its
   * cancellation needs (the compensations, or also the actions when it is not to compensate) while
   * no other live node holds it. False when another node holds it (that node applies the request).
   */
  async cannotRun(id: string): Promise<boolean> {
    const { ctx } = this;
    if (this.scheduler.get(id)) return false;
    const snapshot = await ctx.store.getExecution(id);
    if (!snapshot) return false;
    const r = snapshot.execution;
    if (!UNFINISHED_STATES.has(r.status)) return false;
    const held =
      r.owner !== null &&
      r.owner !== ctx.nodeId &&
      r.leaseUntil !== null &&
      r.leaseUntil >= ctx.clock.now() &&
      !isDeadLocalOwner(r.owner);
    if (held) return false;
    if (this.workerless()) return true;
    const entry = await this.definitions.version(r.workflowId, r.workflowVersion);
    return !entry?.plan || missingFor(ctx, entry.plan, r).length > 0;
  }

  /** Releases the leases of executions taken here that this node lacks handlers for. */
  private async releaseUnrunnable(): Promise<void> {
    if (this.toRelease.size === 0) return;
    const ids = [...this.toRelease];
    await this.ctx.store.releaseLeases(this.ctx.nodeId, ids);
    for (const id of ids) this.toRelease.delete(id);
  }

  /** Takes up again the given abandoned executions, unless another node has them by now. */
  private async retake(ids: string[]): Promise<number> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const claimed = await ctx.store.claimExecutions({
      owner: ctx.nodeId,
      leaseUntil: now + this.leaseMs,
      now,
      staleOwners: [ctx.nodeId],
      ids,
      limit: ids.length,
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
    await this.adoptClaimed(claimed, givenUp);
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
        }
      }
    }
    await this.releaseUnrunnable();
    return claimed.length;
  }

  /**
   * Claims one batch of orphans and hands them to the scheduler. None once stopped; `stop` waits
   * for the claims under way (a cancel's), so the shutdown halts and releases what they took.
   */
  async claim(ids?: string[]): Promise<number> {
    if (this.stopped) return 0;
    const claiming = this.claimBatch(ids);
    this.claims.add(claiming);
    try {
      return await claiming;
    } finally {
      this.claims.delete(claiming);
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
    if (this.workerless()) return retaken;
    // A version skipped for want of a stored definition is claimed again once the definition is.
    await this.unrunnable.reread((id, version) => this.definitions.version(id, version));
    const owners = await ctx.store.listOwners();
    const staleOwners = owners.filter(isDeadLocalOwner);
    const now = ctx.clock.now();
    // This node's own leases may have run out since it last renewed them (the round was held up
    // for longer than a lease: a slow store, a starved process): a claim now would take its own
    // running executions as orphans, under a new epoch their runners do not hold. The next round
    // renews first (and stops what others took meanwhile), then claims.
    if (now > ctx.leases.validUntil) return retaken;
    const claimed = await ctx.store.claimExecutions({
      owner: ctx.nodeId,
      leaseUntil: now + this.leaseMs,
      now,
      staleOwners,
      limit: ids ? CLAIM_BATCH : this.claimLimit(),
      ...(ids ? { ids: ids.filter((id) => !mine.includes(id)) } : {}),
      skip: this.unrunnable.skipped(),
    });
    await this.adoptClaimed(claimed);
    await this.releaseUnrunnable();
    if (claimed.length > 0) ctx.logger.info({ count: claimed.length }, 'resumed executions from the store');
    return retaken + claimed.length;
  }

  /**
   * Runs the executions this node just claimed. If the store fails first, the ones not started
   * yet are kept to be taken up again (see `Scheduler.notStarted`) and the error is thrown.
   */
  private async adoptClaimed(
    claimed: readonly ExecutionRecord[],
    givenUp: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    for (let i = 0; i < claimed.length; i++) {
      try {
        const record = claimed[i]!;
        await this.adopt(record, undefined, givenUp.has(record.id) ? 'retaken' : 'claimed');
      } catch (error) {
        for (const record of claimed.slice(i)) this.scheduler.notStarted.add(record.id);
        throw error;
      }
    }
  }

  /**
   * Runs a stored execution here, unless it runs here already or has finished. `how` it came to
   * this node: claimed (from another owner, none, or an earlier process of this node), taken up
   * again (`retaken`: its runner in this process gave it up after a store failure), or placed here
   * by another node.
   */
  private async adopt(
    record: ExecutionRecord,
    known?: ExecutionSnapshot,
    how: 'claimed' | 'retaken' | 'placed' = 'claimed',
  ): Promise<void> {
    // A cancel's claim and a round adopting what this node owns may take up the same execution at
    // once, each reading it unfinished before either runs it: only the first one runs it (two
    // would run it twice and end it twice).
    const held = this.scheduler.get(record.id);
    if (held) {
      // Claimed from under its own runner (its lease ran out here unrenewed): see `reclaimed`.
      if (how !== 'placed' && record.epoch > held.record.epoch) this.scheduler.reclaimed.add(record.id);
      return;
    }
    const adopting = this.adopting.get(record.id);
    if (adopting) {
      // Run under the newer claim: under the older epoch its first write is refused, and as this
      // node renews the newer lease, no node would ever run it again.
      if (record.epoch > adopting.epoch) this.adopting.set(record.id, record);
      return;
    }
    this.adopting.set(record.id, record);
    try {
      await this.adoptOnce(record, known, how);
    } finally {
      this.adopting.delete(record.id);
    }
  }

  private async adoptOnce(
    record: ExecutionRecord,
    known: ExecutionSnapshot | undefined,
    how: 'claimed' | 'retaken' | 'placed',
  ): Promise<void> {
    const { ctx } = this;
    const snapshot = known ?? (await ctx.store.getExecution(record.id));
    if (!snapshot || !UNFINISHED_STATES.has(snapshot.execution.status)) return;
    // One given up after a store failure leaves this node's counts as it was counted then, to be
    // counted again below as stored (what its runner starts from).
    const given = this.scheduler.abandoned.get(record.id);
    if (given) {
      this.scheduler.abandoned.delete(record.id);
      ctx.metrics.disown(given);
    }
    const entry = await this.definitions.version(record.workflowId, record.workflowVersion);
    // Counted here already: held under a configured node id when this node started.
    const counted = this.heldAtStart.delete(record.id);
    // No definition of its version in the store (no node can run it), or one a newer release
    // defined that this one cannot read (nodes of that release run it): let go like one lacking
    // handlers, not held with its lease renewed for as long as this node lives.
    if (!entry?.plan) {
      if (this.unrunnable.add(record.workflowId, record.workflowVersion, null, entry === undefined)) {
        ctx.logger.error(
          { executionId: record.id, workflowId: record.workflowId, version: record.workflowVersion },
          entry?.problem ??
            'no stored definition of this workflow version; its executions are left in the store, unowned',
        );
      }
      this.toRelease.add(record.id);
      if (counted) ctx.metrics.disown(snapshot.execution);
      return;
    }
    // A process without every handler the workflow needs (a CLI `run` of another workflow on the
    // same store, a node deployed with fewer handlers) leaves it alone rather than fail it with
    // ACTION_NOT_FOUND: it releases the lease (the caller does, in one write per batch), so a node
    // that has the handlers claims it, and skips the version in its claims while they are missing.
    // One that will only compensate (cancel requested, or compensating) needs no action handlers.
    const missing = missingFor(ctx, entry.plan, snapshot.execution);
    if (missing.length > 0) {
      if (this.unrunnable.add(record.workflowId, record.workflowVersion, entry.plan)) {
        ctx.logger.warn(
          { executionId: record.id, workflowId: record.workflowId, version: record.workflowVersion, missing },
          'no handler here for what this workflow version needs; its executions are left to nodes that have them',
        );
      }
      this.toRelease.add(record.id);
      // Released: counted among the other processes' executions from now on.
      if (counted) ctx.metrics.disown(snapshot.execution);
      return;
    }
    // Every worker was removed from this node's balancer (outside cluster mode): it cannot start
    // the execution (NoWorkersError), so it lets it go like one it lacks handlers for.
    if (this.workerless()) {
      ctx.logger.warn(
        { executionId: record.id, workflowId: record.workflowId },
        'no worker registered with the load balancer; the execution is left to nodes that have one',
      );
      this.toRelease.add(record.id);
      if (counted) ctx.metrics.disown(snapshot.execution);
      return;
    }
    // This node's from now on: a claimed one leaves the others' counts; one placed here was
    // counted by no node yet.
    if (!counted) ctx.metrics.adopt(snapshot.execution, how !== 'placed');
    const claim = this.adopting.get(record.id) ?? record;
    const ex = new ActiveExecution(
      { ...snapshot.execution, epoch: claim.epoch, owner: claim.owner, leaseUntil: claim.leaseUntil },
      snapshot.steps,
      entry.plan,
      true,
    );
    // Placed here by the node that created it: it never ran. Claimed (also one placed here and
    // claimed again meanwhile): it may have been running.
    ex.storeStartsFirst = how !== 'placed' || claim !== record;
    ex.retaken = how === 'retaken';
    this.scheduler.submit(ex);
  }
}

/** The executions running on this node, as the execution-time alert reads them. */
function* runningHere(
  scheduler: Scheduler,
): Generator<{ workflowId: string; executionId: string; startedAt: number | null }> {
  for (const ex of scheduler.active.values()) {
    if (ex.started)
      yield { workflowId: ex.record.workflowId, executionId: ex.id, startedAt: ex.record.startedAt };
  }
}
