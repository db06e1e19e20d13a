/**
 * Gaps between the purge batches of a SQLite store. Each batch is a write transaction of its own,
 * but batches back to back took the file's write lock again as soon as they let it go, while the
 * writers of other processes sharing the file try again only every 25–100 ms once they have waited
 * a while (`busy-wait.ts`): during a large `orchestrator purge --yes`, their writes waited past
 * the busy timeout and failed (SQLITE_BUSY), each taking a batch of executions' writes with it.
 * A batch of `purgeExecutions` (and so of `orchestrator purge`) after another now waits as long as
 * the last one took (from 5 ms to 200 ms), so a writer retrying every 100 ms finds the lock free in
 * a gap, and one retrying sooner often does. Housekeeping's purge runs at most 8 batches a round,
 * for at most a quarter of `sweepInterval`: it leaves the lock free between rounds.
 * @module
 */

/** The shortest and longest gap after a batch, ms. */
export const PURGE_GAP_MIN_MS = 5;
export const PURGE_GAP_MAX_MS = 200;

export class PurgeSpacing {
  private lastEnd = Number.NEGATIVE_INFINITY;
  private lastMs = 0;

  /** The gap the next batch leaves after the last one, ms. */
  get gapMs(): number {
    return Math.min(Math.max(this.lastMs, PURGE_GAP_MIN_MS), PURGE_GAP_MAX_MS);
  }

  /** Resolves once the gap after the last batch has passed (at once before the first). */
  async gap(): Promise<void> {
    const wait = this.lastEnd + this.gapMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Runs one batch `write`, timing it (the caller waits for {@link gap} first, then decides). */
  async timed<T>(write: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await write();
    } finally {
      this.lastEnd = performance.now();
      this.lastMs = this.lastEnd - started;
    }
  }
}
