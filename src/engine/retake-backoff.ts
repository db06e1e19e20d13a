/**
 * When this node takes up again an execution its runner gave up after a store failure. The first
 * time, at the next housekeeping round; when its runs keep being given up with nothing of theirs
 * stored in between (a write the store refuses every time: a step output too big for a full
 * disk), only after a wait that doubles with each such failure in a row, `sweepInterval` × 2^(n−1)
 * up to {@link MAX_RETAKE_BACKOFF_MS}. Each run takes the step that was running up again, its
 * handler with it: without the wait it would run once a round, for as long as the store refuses.
 * @module
 */

/** The longest wait before an execution given up after a store failure is taken up again, ms. */
export const MAX_RETAKE_BACKOFF_MS = 5 * 60_000;

/** An execution given up: how many of its runs in a row were, and when it may be taken up again. */
interface GivenUp {
  failures: number;
  at: number;
}

/** When this node takes up again each execution given up after a store failure (see the module comment). */
export class RetakeBackoff {
  private readonly givenUp = new Map<string, GivenUp>();

  /** @param sweepMs the housekeeping interval, ms (the waits are multiples of it). */
  constructor(private readonly sweepMs: number) {}

  /**
   * A run of `id` was given up at `now`, the `failures`-th in a row (see {@link failuresBefore}).
   * Returns how long it waits before it is taken up again, ms (0: at the next round).
   */
  gaveUp(id: string, failures: number, now: number): number {
    const wait =
      failures <= 1
        ? 0
        : Math.min(
            this.sweepMs * 2 ** Math.min(failures - 1, 30),
            Math.max(MAX_RETAKE_BACKOFF_MS, this.sweepMs),
          );
    this.givenUp.set(id, { failures, at: now + wait });
    return wait;
  }

  /** Whether `id` may be taken up again at `now` (also when it was not given up here). */
  due(id: string, now: number): boolean {
    const entry = this.givenUp.get(id);
    return entry === undefined || now >= entry.at;
  }

  /**
   * The runs of `id` given up in a row so far, forgotten here: a run taking it up again carries
   * them on (see `ActiveExecution.storeFailures`). 0 when it was not given up.
   */
  failuresBefore(id: string): number {
    const entry = this.givenUp.get(id);
    if (!entry) return 0;
    this.givenUp.delete(id);
    return entry.failures;
  }

  /** `id` is no longer this node's to take up again (another node has it, or it finished). */
  forget(id: string): void {
    this.givenUp.delete(id);
  }
}
