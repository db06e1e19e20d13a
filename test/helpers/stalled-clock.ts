/**
 * A clock whose time moves only when the test says and whose timers never fire: a stalled event
 * loop, in which a result can arrive after a timeout whose timer has not run yet.
 */
import type { Clock } from '../../src/index.js';

export type StalledClock = Clock & { move(ms: number): void };

export function stalledClock(): StalledClock {
  let t = 1_800_000_000_000;
  return {
    now: () => t,
    setTimer: () => ({ cancel() {} }),
    // Sleeps end only by their signal, as nothing fires (a sleep that resolved would spin); one
    // aborted already ends at once, as the system clock's does.
    sleep: (_ms, signal) =>
      new Promise((_resolve, reject) => {
        if (signal?.aborted) reject(signal.reason);
        else signal?.addEventListener('abort', () => reject(signal.reason));
      }),
    move(ms: number) {
      t += ms;
    },
  };
}
