/**
 * Why a worker no longer holds a task, for the 409 a late report on it answers: the worker's most
 * recent ends (completed, failed, released, lease expired, cancelled, a poll answer undelivered)
 * by task id, a bounded number; a task it has none for was never leased to it — unless older ends
 * were forgotten, when the hub no longer knows.
 * @module
 */

/** How many ends a worker's record keeps (about 30 KB; a late report comes within a lease or so). */
export const ENDS_KEPT = 256;

/** The ends a worker's task may come to, as told to a late report on it. */
export const ENDED = {
  completed: 'the worker already completed it',
  failed: 'the worker already failed it',
  released: 'the worker released it; it went back to the queue',
  cancelled: 'it was cancelled (its step was cancelled or timed out)',
  undelivered: 'the poll that handed it out ended before answering; it went back to the queue',
  expired: (leaseSeconds: number) =>
    `its lease expired (no heartbeat for ${leaseSeconds}s) and the attempt failed with WORKER_LOST`,
} as const;

export class EndedTasks {
  private readonly ends = new Map<string, string>();
  private readonly limit: number;
  /** Whether an end was dropped to keep the limit: an unknown task may have been this worker's. */
  private forgotten = false;

  constructor(limit = ENDS_KEPT) {
    this.limit = limit;
  }

  /** Records why the worker no longer holds `taskId` (the most recent end of a task counts). */
  add(taskId: string, why: string): void {
    this.ends.delete(taskId);
    this.ends.set(taskId, why);
    if (this.ends.size <= this.limit) return;
    const oldest = this.ends.keys().next().value;
    if (oldest !== undefined) this.ends.delete(oldest);
    this.forgotten = true;
  }

  /** Why the worker does not hold `taskId`, as a clause of the 409's message. */
  why(taskId: string): string {
    return (
      this.ends.get(taskId) ??
      (this.forgotten ? 'its lease expired, or it was already settled or released' : 'it never was')
    );
  }
}
