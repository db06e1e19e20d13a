/**
 * Cluster mode: keeps this node's clock on the database's time line. Every time a node writes or
 * compares — a lease's end, a heartbeat, an execution's acceptance and deadline, a timer's due
 * time — comes from its clock, and another node reads it with its own: a host whose clock was 30 s
 * ahead saw every other node's leases and heartbeats as expired and took their executions over,
 * and a deadline set by a node whose clock was behind timed executions out early on the others.
 * The node's clock is the system clock moved by the measured offset of the database's clock
 * (`OffsetClock` in `clock.ts`), measured before the node takes any work and again now and then; an offset of a
 * second or more is logged, since it means this host's clock is wrong.
 * @module
 */

import type { OffsetClock } from '../clock.js';
import type { Logger } from '../config.js';
import { toError } from '../errors.js';
import type { Store } from '../store/store.js';

/** An offset from this much on is logged as a warning (a host clock that far off is wrong). */
export const OFFSET_WARNING_MS = 1000;

/** How often the offset is measured again after start. */
export const REMEASURE_INTERVAL_MS = 60_000;

/** A reading slower than this many times the fastest one seen is not used (a busy moment). */
const SLOW_READING_FACTOR = 3;
/** …unless it took at most this long: half of it is the most it can be off by. */
const FAST_ENOUGH_MS = 10;

/** See the module comment. */
export class ClockAlignment {
  private fastest = Number.POSITIVE_INFINITY;
  private lastAt = Number.NEGATIVE_INFINITY;
  private warnedAt: number | null = null;

  constructor(
    private readonly store: Pick<Store, 'clockOffset'>,
    private readonly clock: OffsetClock,
    private readonly logger: Logger,
  ) {}

  /** The offset the clock keeps now (the database's time minus this host's), in milliseconds. */
  get offsetMs(): number {
    return this.clock.offsetMs;
  }

  /**
   * Takes `readings` readings of the store's clock and sets the clock's offset from the fastest
   * usable one. A store that cannot be read leaves the offset as it was (logged).
   */
  async measure(readings = 1): Promise<void> {
    if (!this.store.clockOffset) return;
    this.lastAt = performance.now();
    let best: { offsetMs: number; roundTripMs: number } | null = null;
    for (let i = 0; i < readings; i++) {
      try {
        const reading = await this.store.clockOffset();
        if (!Number.isFinite(reading.offsetMs) || !Number.isFinite(reading.roundTripMs)) continue;
        if (best === null || reading.roundTripMs < best.roundTripMs) best = reading;
      } catch (error) {
        this.logger.debug({ err: toError(error) }, "could not read the database's clock");
      }
    }
    if (best === null) return;
    if (best.roundTripMs > Math.max(this.fastest * SLOW_READING_FACTOR, FAST_ENOUGH_MS)) {
      // Not used; but a round trip that stays this slow (a database moved further away) is used
      // from the next readings on, the fastest one seen doubling each time.
      this.fastest *= 2;
      return;
    }
    this.fastest = Math.min(this.fastest, best.roundTripMs);
    this.clock.setOffset(best.offsetMs);
    this.report();
  }

  /** {@link measure} once, when {@link REMEASURE_INTERVAL_MS} passed since the last time. */
  async maybeMeasure(): Promise<void> {
    if (performance.now() - this.lastAt >= REMEASURE_INTERVAL_MS) await this.measure();
  }

  /** Logs an offset of {@link OFFSET_WARNING_MS} or more once, and again when it moved as much. */
  private report(): void {
    const offset = this.clock.offsetMs;
    if (Math.abs(offset) < OFFSET_WARNING_MS) {
      if (this.warnedAt !== null) {
        this.logger.info(
          { clockOffsetMs: offset },
          "this host's clock is back within a second of the database's",
        );
        this.warnedAt = null;
      }
      return;
    }
    if (this.warnedAt !== null && Math.abs(offset - this.warnedAt) < OFFSET_WARNING_MS) return;
    this.warnedAt = offset;
    const seconds = (Math.abs(offset) / 1000).toFixed(1);
    this.logger.warn(
      { clockOffsetMs: offset },
      `this host's clock is ${seconds}s ${offset > 0 ? 'behind' : 'ahead of'} the database's: this node keeps the database's time (leases, heartbeats, deadlines, timers); fix the host's clock (NTP)`,
    );
  }
}
