/**
 * The remote worker's own time: a monotonic clock for its waits, and a sleep that an abort cuts short.
 * @module
 */
import { systemClock } from '../clock.js';

/**
 * Milliseconds on a monotonic clock, for the worker's own waits (backoff, report retries): they
 * are never stored nor compared across processes, and a system clock stepped back (NTP, a VM
 * resumed) must not stretch a half-second backoff into the size of the step.
 */
export const monotonicNow = (): number => performance.now();

/**
 * Resolves after `ms`, or at once when `signal` aborts. The system clock chains delays over
 * Node's 2^31-1 ms limit (a plain `setTimeout` fires after 1 ms), so `stop({ grace: Infinity })`
 * waits for the running tasks.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = systemClock.setTimer(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
