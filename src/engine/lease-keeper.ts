/**
 * Housekeeping on a timer: heartbeats this node into the registry (and forgets nodes silent for
 * long, see `forget-nodes.ts`), renews its leases (`lease-renewal.ts`), takes
 * over executions whose owner died (expired lease, or a dead process in this pid space) and
 * resumes them from their stored position, adopts executions other nodes placed on it (cluster
 * mode; `takeover.ts` and `adoption.ts`), applies cancel requests made by other processes,
 * refreshes the cluster load (`cluster-view.ts`), re-reads
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
import { advertisedWorkers } from '../balancing/advertised-workers.js';
import type { TimerHandle } from '../clock.js';
import { DEFINITION_FORMAT } from '../definition/format-levels.js';
import { toError } from '../errors.js';
import { raisesClusterAlerts } from '../monitoring/alerts.js';
import type { ExecutionRecord, NodeRecord, WorkHint } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import { Adoption } from './adoption.js';
import { BacklogShedding } from './backlog-shedding.js';
import { advertisedHandlers } from './capable-nodes.js';
import { ClusterView } from './cluster-view.js';
import { type EngineContext, type LeaseGuard, leaseMs } from './context.js';
import type { DefinitionRegistry } from './definitions.js';
import { NodeForgetter } from './forget-nodes.js';
import { LeaseRenewal } from './lease-renewal.js';
import { OthersRefresh } from './others-refresh.js';
import type { PlacedLoads } from './placed-loads.js';
import { RetentionPurge } from './retention.js';
import type { Scheduler } from './scheduler.js';
import { balancedForSlots } from './slot-balance.js';
import { Takeover } from './takeover.js';

/** What housekeeping asks of the engine. */
export interface KeeperHooks {
  /** Cancels an execution this node holds (a cancel request from another process). */
  cancelLocal(ex: ActiveExecution): Promise<unknown>;
  /** Fails queued executions whose workflow timeout passed. */
  expireQueued(): Promise<void>;
}

export class LeaseKeeper {
  private timer: TimerHandle | null = null;
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
   * heartbeating (marked draining, so other nodes place nothing here) but adopt and claim nothing;
   * what other nodes placed here all the same is released (`Takeover.releasePlaced`).
   */
  private draining = false;
  /** Callers of `verify` waiting for the next round to end. */
  private verifyWaiters: (() => void)[] = [];
  private readonly startedAt: number;
  private unsubscribe: (() => Promise<void>) | null = null;
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;
  private readonly engine: KeeperHooks;
  private readonly forgetter: NodeForgetter;
  private readonly others: OthersRefresh;
  private readonly retention: RetentionPurge;
  private readonly renewal: LeaseRenewal;
  private readonly cluster: ClusterView;
  private readonly adoption: Adoption;
  private readonly takeover: Takeover;
  private readonly shedding: BacklogShedding;

  constructor(
    ctx: EngineContext,
    scheduler: Scheduler,
    definitions: DefinitionRegistry,
    engine: KeeperHooks,
  ) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.engine = engine;
    this.forgetter = new NodeForgetter(ctx.store, ctx.nodeId, this.leaseMs);
    this.others = new OthersRefresh(ctx);
    this.retention = new RetentionPurge(ctx, () => this.stopped);
    this.cluster = new ClusterView(ctx, scheduler, () => this.stopped);
    this.adoption = new Adoption(ctx, scheduler, definitions);
    this.takeover = new Takeover(
      ctx,
      scheduler,
      definitions,
      this.adoption,
      this.cluster,
      () => this.stopped,
    );
    this.renewal = new LeaseRenewal(ctx, scheduler);
    this.shedding = new BacklogShedding(ctx, scheduler);
    scheduler.onExit = () => this.slotFreed();
    // Work held back for a backlog's next batch: that batch is claimed now.
    scheduler.onHeld = () => this.wake();
    this.startedAt = ctx.clock.now();
    const guard: LeaseGuard = ctx.leases;
    // Executions created or claimed from now on hold a lease at least this long.
    guard.validUntil = ctx.store.durable ? this.startedAt + this.leaseMs : Number.POSITIVE_INFINITY;
    guard.verify = () => this.verify();
  }

  /** Re-reads of the loads while this node places executions on others. */
  get placedLoads(): PlacedLoads {
    return this.cluster.placedLoads;
  }

  private get leaseMs(): number {
    return leaseMs(this.ctx);
  }

  /**
   * Takes over every orphaned execution now (crash recovery at start), and takes up again `held`:
   * the unfinished executions a configured node id held at start, as counted then.
   */
  recover(held: readonly ExecutionRecord[] = []): Promise<number> {
    return this.takeover.recover(held);
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
    if (hint.kind === 'cancel' && hint.owner !== this.ctx.nodeId) return;
    // A cancel request is read by the whole round (`listCancelRequests`).
    if (hint.kind === 'any' || hint.kind === 'cancel') this.wokenFull = true;
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
    this.renewal.renewNow = true;
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
    await this.takeover.settled();
    for (const resolve of this.verifyWaiters.splice(0)) resolve();
    await this.unsubscribe?.().catch(() => undefined);
  }

  /**
   * A started execution left this node: when the last claim took all it asked for (more orphans may
   * wait) and half this node's slots are free, or half that batch has started, a round runs now to
   * claim the next share.
   */
  private slotFreed(): void {
    if (!this.takeover.moreToClaim || this.stopped || this.draining) return;
    const held = this.scheduler.runningCount + this.scheduler.queuedCount;
    const halfRun = this.takeover.claimMark?.started ?? false;
    if (held * 2 > this.ctx.config.maxConcurrentWorkflows && !halfRun) return;
    this.takeover.moreToClaim = false;
    this.takeover.claimMark = undefined;
    this.wake();
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
      await this.takeover.adoptPlaced();
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
        // What others add (the remote workers registered here), under the engine's own keys.
        ...this.ctx.heartbeatExtras.entries(),
        pid: process.pid,
        cluster: this.ctx.cluster,
        leaseSeconds: this.ctx.config.leaseSeconds,
        ...(this.draining ? { draining: true } : {}),
        // Placement sends a node only executions it has every handler for (see capable-nodes.ts).
        ...(this.ctx.cluster ? { handlers: advertisedHandlers(this.ctx) } : {}),
        // Outside cluster mode, its balancer's workers: `orchestrator workers` lists them, idle ones
        // too, and judges the balance over them as `GET /v1/workers` does (up to a bound, so a
        // heartbeat stays small; past it the CLI lists the workers that hold executions).
        ...(this.ctx.cluster ? {} : advertisedWorkers(this.ctx.loadBalancer.getWorkers())),
        // Nor versions that need a newer definition format than it reads (see definition/format.ts).
        definitionFormat: DEFINITION_FORMAT,
        // How far this host's clock is from the database's (cluster mode; see clock-alignment.ts).
        ...(this.ctx.clockAlignment ? { clockOffsetMs: this.ctx.clockAlignment.offsetMs } : {}),
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
    let storeFailed = false;
    try {
      if (ctx.store.durable) {
        // A host clock stepped since the last round is measured against the database's again
        // before anything here compares times with other nodes' (see clock-alignment.ts).
        await ctx.clockAlignment?.maybeMeasure();
        const now = ctx.clock.now();
        await this.renewal.run(now);
        // A heartbeat that fails while the renewal passed (this node's registry row locked by
        // another session, say) skips nothing else: this node keeps its leases, so the cancel
        // requests for its executions and those it gave up after a failed write are its to handle.
        try {
          await this.heartbeat();
        } catch (error) {
          ctx.logger.error({ err: toError(error) }, 'heartbeat failed');
          storeFailed = true;
        }
        const forgotten = await this.forgetter.run(now);
        if (forgotten.length > 0) ctx.logger.info({ nodes: forgotten }, 'forgot nodes silent for long');
        for (const id of await ctx.store.listCancelRequests(ctx.nodeId)) {
          const ex = this.scheduler.get(id);
          if (ex) void this.engine.cancelLocal(ex).catch(() => undefined);
        }
        if (!this.draining) {
          if (ctx.cluster) {
            await this.refreshCluster();
            if (!this.stopped) await this.takeover.adoptPlaced();
          }
          if (!this.stopped) await this.takeover.claim();
          if (!this.stopped) {
            const unrun = this.scheduler.unrunIds(ctx.clock.now());
            if (unrun.length > 0) await this.takeover.retake(unrun);
          }
          if (!this.stopped && this.adoption.releasePending) await this.adoption.releaseUnrunnable();
          // Not while a backlog is claimed batch by batch: that claim spreads it.
          if (ctx.cluster && !this.stopped && !this.takeover.moreToClaim) await this.shedding.run();
        } else if (ctx.cluster && !this.stopped) {
          // After the heartbeat that marks this node draining: the release wakes the other nodes,
          // whose refresh then reads the mark.
          await this.takeover.releasePlaced();
        }
        if (!this.stopped) await this.others.run();
      }
    } catch (error) {
      ctx.logger.error({ err: toError(error) }, 'housekeeping sweep failed');
      storeFailed = true;
    }
    // Whether the store answered or not, what this node decides from its own state: a store that
    // fails is when executions get stuck (before, a round whose renewal or heartbeat failed skipped
    // all of it, for as long as the store failed: no execution_time alert, no queued execution
    // started on a worker added meanwhile, none ended past its deadline before its timer fired).
    try {
      // Queued executions past their deadline (their timer ends them; this catches one it missed:
      // the system clock stepped forward, an end that failed to be stored). Ending one that never
      // ran is a write: while the store fails it is taken up again later (see `expireQueued`).
      await this.engine.expireQueued();
    } catch (error) {
      ctx.logger.error({ err: toError(error) }, 'ending queued executions past their deadline failed');
    }
    // Queued executions wait while the balancer has no worker: one may have been added since.
    this.scheduler.wake();
    this.checkAlerts();
    if (storeFailed) return;
    try {
      // Last: a failing purge skips nothing else of the round.
      if (!this.stopped) await this.retention.run();
    } catch (error) {
      ctx.logger.error({ err: toError(error) }, 'housekeeping sweep failed');
    }
  }

  /** The alerts checked each round: load imbalance, and executions running for too long. */
  private checkAlerts(): void {
    const { ctx } = this;
    try {
      const lb = ctx.loadBalancer;
      // Cluster mode: the balancer's workers are the live nodes, and their loads the same on every
      // node; one of them raises the alert (before, each did: a copy per node). A node closing is
      // no longer counted live by the others (draining), so it leaves the alert to them.
      if (!ctx.cluster || (!ctx.lifecycle.draining && raisesClusterAlerts(ctx.nodeId, lb.getWorkers()))) {
        const threshold = ctx.config.alerts.imbalanceThreshold;
        ctx.alerts.checkBalance(
          ctx.cluster ? balancedForSlots(ctx, threshold) : lb.isBalanced(threshold),
          lb.activeCount(),
          lb.getLoadDistribution(),
        );
      }
      ctx.alerts.checkRunning(ctx.clock.now(), runningHere(this.scheduler));
    } catch (error) {
      ctx.logger.error({ err: toError(error) }, 'housekeeping alert checks failed');
    }
  }

  /**
   * Cluster mode: live nodes (a heartbeat within a lease, and not a dead process on this host)
   * become the balancer's workers, with their stored load plus the placements this node is still
   * creating there (see `cluster-view.ts`).
   */
  refreshCluster(): Promise<void> {
    return this.cluster.refresh();
  }

  /**
   * For a cancel of an execution this node does not hold: whether this node lacks the handlers its
   * cancellation needs while no other live node holds it (see `Adoption.cannotRun`).
   */
  cannotRun(id: string): Promise<boolean> {
    return this.adoption.cannotRun(id);
  }

  /**
   * Claims one batch of orphans and hands them to the scheduler. None once stopped; `stop` waits
   * for the claims under way (a cancel's), so the shutdown halts and releases what they took.
   */
  claim(ids?: string[]): Promise<number> {
    return this.takeover.claim(ids);
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
