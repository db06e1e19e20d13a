/**
 * Retention of finished execution history: `purgeExecutions` (the engine's call, the CLI's
 * `orchestrator purge`) and the automatic purge of housekeeping (`retention` in the config).
 * Both delete through the store's optional `purgeFinished`, in batches of at most
 * {@link PURGE_BATCH} executions, each its own short transaction; the store keeps the deleted
 * executions' counts, so the metrics totals do not drop.
 *
 * Housekeeping deletes batches while they come back full, at most
 * {@link RETENTION_BATCHES_PER_SECOND} per second of `sweepInterval` per round, then looks again
 * only after {@link RETENTION_IDLE_MS} once a batch came back short. Every node of a cluster runs
 * it: deletes are idempotent and concurrent purges skip each other's rows.
 * @module
 */
import { intervalPassed } from '../clock.js';
import { describeValue } from '../describe-value.js';
import { ClosedError, type Issue, OrchestratorError, ValidationError } from '../errors.js';
import { PurgeSpacing } from '../store/sqlite/purge-spacing.js';
import type { Store } from '../store/store.js';
import { assertReadable, optionsIssues } from '../unknown-keys.js';
import type { EngineContext } from './context.js';
import { PURGE_DEFAULT_LIMIT, PURGE_MAX_LIMIT } from './purge-limits.js';

/** Executions one store call deletes at most (one transaction). */
export const PURGE_BATCH = 500;

export { PURGE_DEFAULT_LIMIT, PURGE_MAX_LIMIT };

/** How long housekeeping waits before looking again, once a round found less than a batch. */
export const RETENTION_IDLE_MS = 60_000;

/**
 * Batches housekeeping deletes per second of `sweepInterval` while they come back full: 8 (4,000
 * executions a second per node, about 160 ms of store time per second measured at 500 executions
 * with 3 steps each). One batch a round (500 a second at the default interval) fell behind a node
 * that finishes more than that, and its history grew without bound; a round stays short, so lease
 * renewals are not held up.
 */
export const RETENTION_BATCHES_PER_SECOND = 8;

/**
 * The share of `sweepInterval` a round's purge may take before it starts no other batch: batches
 * of large executions (big step outputs) are slow, and the round also renews this node's leases.
 */
export const RETENTION_ROUND_SHARE = 0.25;

/** Options of `purgeExecutions`. */
export interface PurgeOptions {
  /** Finished executions (completed, failed, cancelled) that completed before this time are deleted. */
  before: Date;
  /** At most this many are deleted by the call. @default 10000 (at most 1,000,000) */
  limit?: number | undefined;
}

/** Checks `purgeExecutions`' options; returns the cutoff (epoch ms) and limit. */
export function checkPurgeOptions(options: unknown): { before: number; limit: number } {
  assertReadable(options, ['before', 'limit'], 'Invalid purgeExecutions options');
  const issues: Issue[] = optionsIssues(options, ['before', 'limit'], {
    path: '',
    expected: 'an object such as { before: new Date(...) }',
  });
  if (options === null || typeof options !== 'object')
    throw new ValidationError(issues, 'Invalid purgeExecutions options');
  const { before, limit } = options as { before?: unknown; limit?: unknown };
  if (!(before instanceof Date) || Number.isNaN(before.getTime())) {
    issues.push({ path: 'before', message: `expected a valid Date, got ${describeValue(before)}` });
  }
  if (
    limit !== undefined &&
    !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= PURGE_MAX_LIMIT)
  ) {
    issues.push({
      path: 'limit',
      message: `expected an integer from 1 to ${PURGE_MAX_LIMIT}, got ${describeValue(limit)}`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid purgeExecutions options');
  return { before: (before as Date).getTime(), limit: (limit as number | undefined) ?? PURGE_DEFAULT_LIMIT };
}

/** How far a purge got: the executions deleted and the batches (store calls) run so far. */
export interface PurgeProgress {
  deleted: number;
  batches: number;
}

/**
 * Deletes up to `limit` finished executions that completed before `before`, in batches; returns
 * how many it deleted. `stopped` is asked before each batch after the first: once it says so, no
 * other batch starts (each batch is whole: its own transaction). `progress` is kept up to date
 * after each batch (for a caller that reports how far it got, when stopped or failing).
 * @throws OrchestratorError `UNSUPPORTED` for a store without `purgeFinished` (a custom adapter);
 *   ClosedError, naming how many were deleted, when `stopped` ended it early.
 */
export async function purgeFinished(
  store: Store,
  before: number,
  limit: number,
  stopped: () => boolean = () => false,
  progress: PurgeProgress = { deleted: 0, batches: 0 },
): Promise<number> {
  if (!store.purgeFinished) {
    throw new OrchestratorError(
      'UNSUPPORTED',
      `The ${store.kind} store cannot purge executions: it does not implement purgeFinished`,
    );
  }
  const purgeBatch = store.purgeFinished.bind(store);
  // On SQLite, batches back to back kept other processes on the file from its write lock (see
  // purge-spacing.ts). Housekeeping's rounds are short enough not to need it (see RetentionPurge).
  const spacing = store.kind === 'sqlite' ? new PurgeSpacing() : null;
  const purge: typeof purgeBatch = spacing
    ? (request) => spacing.timed(() => purgeBatch(request))
    : purgeBatch;
  // The gap is waited for before the check of `stopped`: a close during it starts no other batch.
  const pause = spacing ? () => spacing.gap() : undefined;
  const { deleted, cut } = await deleteInBatches(purge, before, limit, stopped, progress, pause);
  if (cut) {
    throw new ClosedError(
      `The orchestrator is closing: purgeExecutions stopped after deleting ${deleted} executions`,
    );
  }
  return deleted;
}

/**
 * Deletes batches of at most {@link PURGE_BATCH} until `limit` are deleted, a batch comes back
 * short (`done`: nothing left to delete), or `stop` says so before a batch after the first (`cut`),
 * asked after `pause` (a gap between batches) when given.
 */
async function deleteInBatches(
  purge: NonNullable<Store['purgeFinished']>,
  before: number,
  limit: number,
  stop: () => boolean,
  progress: PurgeProgress = { deleted: 0, batches: 0 },
  pause?: () => Promise<void>,
): Promise<{ deleted: number; done: boolean; cut: boolean }> {
  let deleted = 0;
  while (deleted < limit) {
    if (deleted > 0 && pause) await pause();
    if (deleted > 0 && stop()) return { deleted, done: false, cut: true };
    const batch = Math.min(PURGE_BATCH, limit - deleted);
    const n = await purge({ before, limit: batch });
    deleted += n;
    progress.deleted += n;
    progress.batches++;
    if (n < batch) return { deleted, done: true, cut: false };
  }
  return { deleted, done: false, cut: false };
}

/** The automatic purge of housekeeping (see the module comment). One per node. */
export class RetentionPurge {
  /** When the next look is due (a round that found a full batch looks again the next round). */
  private last = Number.NEGATIVE_INFINITY;
  private idle = false;
  private warned = false;

  /** @param stopped whether the node is closing: no other batch starts then. */
  constructor(
    private readonly ctx: EngineContext,
    private readonly stopped: () => boolean = () => false,
  ) {}

  /**
   * Deletes batches if `retention` is set and a look is due: while they come back full, up to
   * {@link RETENTION_BATCHES_PER_SECOND} per second of `sweepInterval` (at least one), and no other
   * once the round spent {@link RETENTION_ROUND_SHARE} of `sweepInterval` or the node closes.
   * Returns how many executions it deleted. Throws what the store throws.
   */
  async run(): Promise<number> {
    const { ctx } = this;
    const retention = ctx.config.retention;
    if (retention === undefined) return 0;
    if (!ctx.store.purgeFinished) {
      if (!this.warned) {
        this.warned = true;
        ctx.logger.warn(
          { store: ctx.store.kind },
          'retention is set but the store cannot purge executions (no purgeFinished): it keeps them all',
        );
      }
      return 0;
    }
    const now = ctx.clock.now();
    if (this.idle && !intervalPassed(now, this.last, RETENTION_IDLE_MS)) return 0;
    this.last = now;
    const before = now - retention * 1000;
    const batches = Math.max(1, Math.floor(ctx.config.sweepInterval * RETENTION_BATCHES_PER_SECOND));
    // Real time, not the engine's clock: what matters is how long the round holds up the next.
    const started = performance.now();
    const budgetMs = ctx.config.sweepInterval * 1000 * RETENTION_ROUND_SHARE;
    // A round whose store call fails looks again the next round, not after RETENTION_IDLE_MS.
    this.idle = false;
    const { deleted, done } = await deleteInBatches(
      ctx.store.purgeFinished.bind(ctx.store),
      before,
      batches * PURGE_BATCH,
      () => this.stopped() || performance.now() - started > budgetMs,
    );
    this.idle = done;
    if (deleted > 0) ctx.logger.debug({ deleted }, 'retention: purged finished executions');
    return deleted;
  }
}
