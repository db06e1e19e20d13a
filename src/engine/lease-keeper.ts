/**
 * Housekeeping on a timer: heartbeats this node into the registry, renews its leases, takes
 * over executions whose owner died (expired lease, or a dead process in this pid space) and
 * resumes them from their stored position, adopts executions other nodes placed on it (cluster
 * mode), applies cancel requests made by other processes, refreshes the cluster load, and checks
 * the balance. The same takeover runs once, awaited, when the orchestrator opens: that is crash
 * recovery. A store notification (PostgreSQL NOTIFY) only makes the next round come sooner.
 * @module
 */
import type { TimerHandle } from '../clock.js';
import { toError } from '../errors.js';
import type { ExecutionRecord, ExecutionSnapshot, NodeRecord } from '../store/store.js';
import { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';
import type { DefinitionRegistry } from './definitions.js';
import { isDeadLocalOwner } from './owners.js';
import type { Scheduler } from './scheduler.js';

const CLAIM_BATCH = 500;

export class LeaseKeeper {
  private timer: TimerHandle | null = null;
  private lastRenew: number;
  private running: Promise<void> | null = null;
  private stopped = false;
  private woken = false;
  private readonly startedAt: number;
  private unsubscribe: (() => Promise<void>) | null = null;
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;
  private readonly definitions: DefinitionRegistry;
  private readonly cancelOne: (ex: ActiveExecution) => Promise<unknown>;

  constructor(
    ctx: EngineContext,
    scheduler: Scheduler,
    definitions: DefinitionRegistry,
    cancelOne: (ex: ActiveExecution) => Promise<unknown>,
  ) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.definitions = definitions;
    this.cancelOne = cancelOne;
    this.lastRenew = ctx.clock.now();
    this.startedAt = ctx.clock.now();
  }

  private get leaseMs(): number {
    return this.ctx.config.leaseSeconds * 1000;
  }

  /** Takes over every orphaned execution now (crash recovery at start). */
  async recover(): Promise<number> {
    if (!this.ctx.store.durable) return 0;
    let total = 0;
    for (;;) {
      const n = await this.claim();
      total += n;
      if (n < CLAIM_BATCH) return total;
    }
  }

  async start(): Promise<void> {
    if (this.ctx.cluster && this.ctx.store.subscribe) {
      try {
        this.unsubscribe = await this.ctx.store.subscribe('work', () => this.wake());
      } catch (error) {
        this.ctx.logger.warn({ err: toError(error) }, 'store notifications unavailable; polling only');
      }
    }
    this.schedule();
  }

  /** Runs a round soon (coalesced), e.g. when another node placed work here. */
  wake(): void {
    if (this.stopped || this.woken) return;
    this.woken = true;
    setImmediate(() => {
      this.woken = false;
      if (this.stopped || this.running) return;
      this.timer?.cancel();
      this.running = this.sweep().finally(() => {
        this.running = null;
        this.schedule();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
    await this.unsubscribe?.().catch(() => undefined);
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
      info: { pid: process.pid, cluster: this.ctx.cluster },
    };
  }

  /** Writes this node's heartbeat. */
  async heartbeat(): Promise<void> {
    await this.ctx.store.heartbeat(this.nodeRecord());
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.ctx.clock.setTimer(
      () => {
        this.running = this.sweep().finally(() => {
          this.running = null;
          this.schedule();
        });
      },
      this.ctx.config.sweepInterval * 1000,
      true,
    );
  }

  /** One round of housekeeping; errors are logged, never thrown (a failing sweep must not stop dispatch). */
  async sweep(): Promise<void> {
    const { ctx } = this;
    try {
      if (ctx.store.durable) {
        const now = ctx.clock.now();
        if (now - this.lastRenew >= this.leaseMs / 3) {
          await ctx.store.renewLeases(ctx.nodeId, now + this.leaseMs);
          this.lastRenew = now;
        }
        await this.heartbeat();
        for (const id of await ctx.store.listCancelRequests(ctx.nodeId)) {
          const ex = this.scheduler.get(id);
          if (ex) void this.cancelOne(ex).catch(() => undefined);
        }
        if (ctx.cluster) {
          await this.refreshCluster();
          if (!this.stopped) await this.adoptPlaced();
        }
        if (!this.stopped) await this.claim();
        if (!this.stopped && this.scheduler.abandoned.size > 0) await this.retakeAbandoned();
      }
      const lb = ctx.loadBalancer;
      ctx.alerts.checkBalance(
        lb.isBalanced(ctx.config.alerts.imbalanceThreshold),
        lb.activeCount(),
        lb.getLoadDistribution(),
      );
    } catch (error) {
      ctx.logger.error({ err: toError(error) }, 'housekeeping sweep failed');
    }
  }

  /** Cluster mode: live nodes become the balancer's workers, with their stored load. */
  async refreshCluster(): Promise<void> {
    const { ctx } = this;
    const lb = ctx.loadBalancer;
    const live = await ctx.store.listNodes(ctx.clock.now() - this.leaseMs);
    const liveIds = new Set(live.map((n) => n.id));
    liveIds.add(ctx.nodeId);
    for (const id of liveIds) lb.addWorker(id);
    for (const id of lb.getWorkers()) if (!liveIds.has(id)) lb.removeWorker(id);
    const loads = await ctx.store.loadByOwner();
    for (const id of liveIds) {
      lb.setExternalLoad(id, id === ctx.nodeId ? this.scheduler.queuedCount : (loads[id] ?? 0));
    }
  }

  /** Cluster mode: runs executions other nodes placed on this node. */
  private async adoptPlaced(): Promise<void> {
    const { ctx } = this;
    const ids = await ctx.store.listOwned(ctx.nodeId, CLAIM_BATCH);
    for (const id of ids) {
      if (this.scheduler.get(id) || ctx.creating.has(id) || this.stopped) continue;
      const snapshot = await ctx.store.getExecution(id);
      if (!snapshot || snapshot.execution.owner !== ctx.nodeId || this.scheduler.get(id)) continue;
      await this.adopt(snapshot.execution, snapshot);
    }
  }

  /** Takes up again executions this node gave up after a store failure (it still owns them). */
  private async retakeAbandoned(): Promise<void> {
    const { ctx } = this;
    const ids = [...this.scheduler.abandoned];
    const now = ctx.clock.now();
    const claimed = await ctx.store.claimExecutions({
      owner: ctx.nodeId,
      leaseUntil: now + this.leaseMs,
      now,
      staleOwners: [ctx.nodeId],
      ids,
      limit: ids.length,
    });
    for (const id of ids) this.scheduler.abandoned.delete(id);
    for (const record of claimed) await this.adopt(record);
  }

  /** Claims one batch of orphans and hands them to the scheduler. */
  async claim(ids?: string[]): Promise<number> {
    const { ctx } = this;
    const owners = await ctx.store.listOwners();
    const staleOwners = owners.filter(isDeadLocalOwner);
    const now = ctx.clock.now();
    const claimed = await ctx.store.claimExecutions({
      owner: ctx.nodeId,
      leaseUntil: now + this.leaseMs,
      now,
      staleOwners,
      limit: CLAIM_BATCH,
      ...(ids ? { ids } : {}),
    });
    for (const record of claimed) await this.adopt(record);
    if (claimed.length > 0) ctx.logger.info({ count: claimed.length }, 'resumed executions from the store');
    return claimed.length;
  }

  private async adopt(record: ExecutionRecord, known?: ExecutionSnapshot): Promise<void> {
    const { ctx } = this;
    if (this.scheduler.get(record.id)) return;
    const snapshot = known ?? (await ctx.store.getExecution(record.id));
    if (!snapshot) return;
    const entry = await this.definitions.version(record.workflowId, record.workflowVersion);
    if (!entry) {
      ctx.logger.error(
        { executionId: record.id, workflowId: record.workflowId },
        'definition version missing; cannot resume',
      );
      return;
    }
    const ex = new ActiveExecution(
      { ...snapshot.execution, epoch: record.epoch, owner: record.owner, leaseUntil: record.leaseUntil },
      snapshot.steps,
      entry.plan,
      true,
    );
    this.scheduler.submit(ex);
  }
}
