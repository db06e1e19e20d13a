/**
 * Retention of finished execution history: `purgeExecutions` (the engine's call, the CLI's
 * `orchestrator purge`) and the automatic purge of housekeeping (`retention` in the config).
 * Both delete through the store's optional `purgeFinished`, in batches of at most
 * {@link PURGE_BATCH} executions, each its own short transaction; the store keeps the deleted
 * executions' counts, so the metrics totals do not drop.
 *
 * Housekeeping deletes one batch per round while a round finds a full batch, then looks again
 * only after {@link RETENTION_IDLE_MS}. Every node of a cluster runs it: deletes are idempotent
 * and concurrent purges skip each other's rows.
 * @module
 */
import { intervalPassed } from '../clock.js';
import { describeValue } from '../describe-value.js';
import { ClosedError, type Issue, OrchestratorError, ValidationError } from '../errors.js';
import type { Store } from '../store/store.js';
import { optionsIssues } from '../unknown-keys.js';
import type { EngineContext } from './context.js';

/** Executions one store call deletes at most (one transaction). */
export const PURGE_BATCH = 500;

/** Default, and largest, `limit` of one `purgeExecutions` call. */
export const PURGE_DEFAULT_LIMIT = 10_000;
export const PURGE_MAX_LIMIT = 1_000_000;

/** How long housekeeping waits before looking again, once a round found less than a batch. */
export const RETENTION_IDLE_MS = 60_000;

/** Options of `purgeExecutions`. */
export interface PurgeOptions {
  /** Finished executions (completed, failed, cancelled) that completed before this time are deleted. */
  before: Date;
  /** At most this many are deleted by the call. @default 10000 (at most 1,000,000) */
  limit?: number | undefined;
}

/** Checks `purgeExecutions`' options; returns the cutoff (epoch ms) and limit. */
export function checkPurgeOptions(options: unknown): { before: number; limit: number } {
  const issues: Issue[] = optionsIssues(options, ['before', 'limit'], {
    path: '',
    expected: 'an object such as { before: new Date(...) }',
  });
  if (options === null || typeof options !== 'object') throw new ValidationError(issues, 'Invalid purge');
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
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid purge');
  return { before: (before as Date).getTime(), limit: (limit as number | undefined) ?? PURGE_DEFAULT_LIMIT };
}

/**
 * Deletes up to `limit` finished executions that completed before `before`, in batches; returns
 * how many it deleted. `stopped` is asked before each batch after the first: once it says so, no
 * other batch starts (each batch is whole: its own transaction).
 * @throws OrchestratorError `UNSUPPORTED` for a store without `purgeFinished` (a custom adapter);
 *   ClosedError, naming how many were deleted, when `stopped` ended it early.
 */
export async function purgeFinished(
  store: Store,
  before: number,
  limit: number,
  stopped: () => boolean = () => false,
): Promise<number> {
  if (!store.purgeFinished) {
    throw new OrchestratorError(
      'UNSUPPORTED',
      `The ${store.kind} store cannot purge executions: it does not implement purgeFinished`,
    );
  }
  let deleted = 0;
  while (deleted < limit) {
    if (deleted > 0 && stopped()) {
      throw new ClosedError(
        `The orchestrator is closing: purgeExecutions stopped after deleting ${deleted} executions`,
      );
    }
    const batch = Math.min(PURGE_BATCH, limit - deleted);
    const n = await store.purgeFinished({ before, limit: batch });
    deleted += n;
    if (n < batch) break;
  }
  return deleted;
}

/** The automatic purge of housekeeping (see the module comment). One per node. */
export class RetentionPurge {
  /** When the next look is due (a round that found a full batch looks again the next round). */
  private last = Number.NEGATIVE_INFINITY;
  private idle = false;
  private warned = false;

  constructor(private readonly ctx: EngineContext) {}

  /** Deletes one batch if `retention` is set and a look is due. Throws what the store throws. */
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
    const n = await ctx.store.purgeFinished({ before: now - retention * 1000, limit: PURGE_BATCH });
    this.idle = n < PURGE_BATCH;
    if (n > 0) ctx.logger.debug({ deleted: n }, 'retention: purged finished executions');
    return n;
  }
}
