/**
 * The system clock moved by an offset: in cluster mode, the offset of the database's clock from
 * this host's, so that every node stamps and reads leases, heartbeats, deadlines and timers on one
 * time line whatever its own clock says (`engine/clock-alignment.ts` measures it). Its timers are
 * the system clock's: a wait of `ms` is `ms` of Node's monotonic time.
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from './clock.js';

/** See the module comment. */
export class OffsetClock implements Clock {
  readonly systemTime = true as const;
  /** Whole milliseconds added to the system clock's time. */
  private offset = 0;

  /** The offset now added, in milliseconds. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Sets the offset (rounded to whole milliseconds: the stores keep whole milliseconds). */
  setOffset(ms: number): void {
    this.offset = Number.isFinite(ms) ? Math.round(ms) : 0;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  setTimer(fn: () => void, ms: number, background?: boolean): TimerHandle {
    return systemClock.setTimer(fn, ms, background);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
}
