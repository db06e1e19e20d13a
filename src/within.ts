/**
 * A bounded wait for work that may never settle (a store that does not answer).
 * @module
 */
import type { Clock } from './clock.js';

/** How `work` settled: with its value or its error. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * How `work` settled, or `undefined` when `ms` passed on `clock` first; the work goes on (a
 * later rejection of it is taken here, never unhandled).
 */
export function within<T>(work: Promise<T>, ms: number, clock: Clock): Promise<Settled<T> | undefined> {
  return new Promise((resolve) => {
    const timer = clock.setTimer(() => resolve(undefined), ms, true);
    work.then(
      (value) => {
        timer.cancel();
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        timer.cancel();
        resolve({ ok: false, error });
      },
    );
  });
}
