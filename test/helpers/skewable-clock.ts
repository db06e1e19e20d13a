/**
 * A FakeClock whose `now()` can be moved ahead without firing its timers: a stalled event loop,
 * in which a deadline passes before the timer that watches it runs. Unlike `stalled-clock.ts`,
 * whose timers never fire, `fake.advance()` still fires these.
 * @module
 */
import type { Clock, FakeClock } from '../../src/index.js';

export function skewable(fake: FakeClock): Clock & { skew(ms: number): void } {
  let ahead = 0;
  return {
    now: () => fake.now() + ahead,
    setTimer: (fn, ms) => fake.setTimer(fn, ms),
    sleep: (ms, signal) => fake.sleep(ms, signal),
    skew(ms: number) {
      ahead += ms;
    },
  };
}
