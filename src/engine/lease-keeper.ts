/**
 * Housekeeping on a timer: renews this node's leases, takes over executions whose owner died
 * (expired lease, or a dead process on this host) and resumes them from their stored
 * position, applies cancel requests made by other processes, and checks the load balance.
 * The same takeover runs once, awaited, when the orchestrator opens: that is crash recovery.
 * @module
 */
import type { TimerHandle } from '../clock.js';
import { toError } from '../errors.js';
import type { ExecutionRecord } from '../store/store.js';
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

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
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
        for (const id of await ctx.store.listCancelRequests(ctx.nodeId)) {
          const ex = this.scheduler.get(id);
          if (ex) void this.cancelOne(ex).catch(() => undefined);
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

  private async adopt(record: ExecutionRecord): Promise<void> {
    const { ctx } = this;
    if (this.scheduler.get(record.id)) return;
    const snapshot = await ctx.store.getExecution(record.id);
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
