/**
 * Steps the system clock forward in a test: `Date.now` (what the engine's `systemClock` reads)
 * answers `ms` later from now on, while Node's monotonic timers go on as before (as after NTP or a
 * VM resumed). Undone by `vi.restoreAllMocks()`.
 */
import { vi } from 'vitest';

export function stepClockForward(ms: number): void {
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => real() + ms);
}
