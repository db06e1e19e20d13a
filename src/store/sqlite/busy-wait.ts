/**
 * Waiting for the write lock without blocking the event loop. SQLite's busy handler sleeps inside
 * the synchronous driver: a write while another connection holds the file's write lock stopped
 * every timer, request and lease renewal of the process for up to the busy timeout. The store
 * instead tries to take the lock without waiting and, when it is held, tries again on timers,
 * spaced as SQLite's own handler spaces them, for as long as the busy timeout.
 * @module
 */

/** How long a write waits for the write lock before it fails with SQLITE_BUSY, ms. */
export const BUSY_TIMEOUT_MS = 5_000;

/** The waits between attempts, ms, as SQLite's busy handler makes them (then the last, repeated). */
const DELAYS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

/** What an attempt answers when the lock was held: nothing was done, try again later. */
export const LOCK_HELD: unique symbol = Symbol('write lock held');

/** Whether `error` is SQLite's "the lock is held" (SQLITE_BUSY and its extended codes). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/**
 * Runs `attempt` until it answers something other than {@link LOCK_HELD}: at once (its answer
 * returned as is) and, while the lock is held, again after each wait, for at most `timeoutMs`
 * (then `timedOut()` is thrown).
 */
export function untilLockFree<T>(
  attempt: () => T | typeof LOCK_HELD,
  timedOut: () => unknown,
  timeoutMs = BUSY_TIMEOUT_MS,
): T | Promise<T> {
  const first = attempt();
  if (first !== LOCK_HELD) return first;
  const deadline = Date.now() + timeoutMs;
  return new Promise<T>((resolve, reject) => {
    let tries = 0;
    const retry = () => {
      try {
        const result = attempt();
        if (result !== LOCK_HELD) return resolve(result);
        const left = deadline - Date.now();
        if (left <= 0) return reject(timedOut());
        setTimeout(retry, Math.min(DELAYS[Math.min(tries++, DELAYS.length - 1)]!, left));
      } catch (error) {
        reject(error);
      }
    };
    setTimeout(retry, DELAYS[tries++]!);
  });
}
