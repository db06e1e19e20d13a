/**
 * The store's "stop waiting for the server" switch: every read and commit under way is raced
 * against it, and fails at once when the store is abandoned (closed without waiting, see
 * `PostgresStore.abandon`).
 *
 * Each race registers its own rejection and drops it when the operation settles. Racing them all
 * against one promise that never settles while the store is open (`Promise.race`) left a reaction
 * on that promise per operation, holding the operation's result: a node's heap grew by ≈2.5 KB an
 * execution, and by ≈5 KB a second while idle (its housekeeping reads), without bound.
 * @module
 */

export class Abandonment {
  private readonly waiting = new Set<(error: Error) => void>();
  private reason: Error | null = null;

  /** Operations waiting now (each settles or is abandoned). */
  get size(): number {
    return this.waiting.size;
  }

  /** `operation`'s outcome, or the abandonment's error if that comes first. */
  race<T>(operation: Promise<T>): Promise<T> {
    if (this.reason) {
      // Its own rejection, if any, is the caller's no longer: not reported as unhandled.
      operation.catch(() => undefined);
      return Promise.reject(this.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const abandon = (error: Error) => reject(error);
      this.waiting.add(abandon);
      operation.then(
        (value) => {
          this.waiting.delete(abandon);
          resolve(value);
        },
        (error: unknown) => {
          this.waiting.delete(abandon);
          reject(error);
        },
      );
    });
  }

  /** Fails every operation waiting now, and every one raced from now on, with `error`. */
  abandon(error: Error): void {
    this.reason ??= error;
    for (const abandon of this.waiting) abandon(this.reason);
    this.waiting.clear();
  }
}
