/**
 * Cluster mode: keeps this node's clock on the database's time line. Every time a node writes or
 * compares — a lease's end, a heartbeat, an execution's acceptance and deadline, a timer's due
 * time — comes from its clock, and another node reads it with its own: a host whose clock was 30 s
 * ahead saw every other node's leases and heartbeats as expired and took their executions over,
 * and a deadline set by a node whose clock was behind timed executions out early on the others.
 * The node's clock is the system clock moved by the measured offset of the database's clock
 * (`OffsetClock` in `clock.ts`), measured before the node takes any work, again every minute, and
 * at once when the host's clock was stepped (its wall clock moved against its monotonic clock); an
 * offset of a second or more is logged, since it means this host's clock is wrong.
 * @module
 */

import { type OffsetClock, systemClock } from '../clock.js';
import type { Logger } from '../config.js';
import { toError } from '../errors.js';
import type { Store } from '../store/store.js';
import { within } from '../within.js';

/** An offset from this much on is logged as a warning (a host clock that far off is wrong). */
export const OFFSET_WARNING_MS = 1000;

/** How often the offset is measured again after start. */
export const REMEASURE_INTERVAL_MS = 60_000;

/** Readings per measurement; the fastest is used. */
export const READINGS = 3;

/**
 * A step of the host's clock this large since the last measurement (`Date.now()` moved against
 * `performance.now()`: NTP stepping it, a VM resumed) measures again at the next round.
 */
export const STEP_MS = 500;

/** A reading slower than this many times the fastest one seen is not used (a busy moment)… */
const SLOW_READING_FACTOR = 3;
/** …unless it took at most this long: half of it is the most it can be off by. */
const FAST_ENOUGH_MS = 10;

/** See the module comment. */
export class ClockAlignment {
  private fastest = Number.POSITIVE_INFINITY;
  private lastAt = Number.NEGATIVE_INFINITY;
  /** `Date.now() − performance.now()` at the last measurement: it moves when the clock is stepped. */
  private base: number | null = null;
  private warnedAt: number | null = null;
  private failureWarned = false;

  /**
   * @param readingTimeoutMs how long one reading may take before it is given up (the store's own
   *   query timeout may be far longer: a start would wait three of them).
   */
  constructor(
    private readonly store: Pick<Store, 'clockOffset'>,
    private readonly clock: OffsetClock,
    private readonly logger: Logger,
    private readonly readingTimeoutMs = 2000,
  ) {}

  /** The offset the clock keeps now (the database's time minus this host's), in milliseconds. */
  get offsetMs(): number {
    return this.clock.offsetMs;
  }

  /**
   * Takes `readings` readings of the store's clock and sets the clock's offset from the fastest
   * usable one. A store that cannot be read leaves the offset as it was (a warning, once until a
   * reading succeeds).
   */
  async measure(readings = READINGS): Promise<void> {
    const read = this.store.clockOffset?.bind(this.store);
    if (!read) return;
    this.lastAt = performance.now();
    this.base = Date.now() - performance.now();
    let best: { offsetMs: number; roundTripMs: number } | null = null;
    let failure: unknown = null;
    for (let i = 0; i < readings; i++) {
      const settled = await within(read(), this.readingTimeoutMs, systemClock);
      if (settled === undefined) failure = new Error(`no answer within ${this.readingTimeoutMs} ms`);
      else if (!settled.ok) failure = settled.error;
      else {
        const reading = settled.value;
        if (!Number.isFinite(reading.offsetMs) || !Number.isFinite(reading.roundTripMs)) continue;
        if (best === null || reading.roundTripMs < best.roundTripMs) best = reading;
      }
    }
    if (best === null) {
      if (!this.failureWarned) {
        this.failureWarned = true;
        this.logger.warn(
          { err: toError(failure), clockOffsetMs: this.clock.offsetMs },
          "could not read the database's clock: this node keeps the offset it last measured (0 before any) until a reading succeeds",
        );
      }
      return;
    }
    this.failureWarned = false;
    // A slow reading is still right to within half its round trip: it is used when it shows a
    // larger change than that (a stepped clock), else left out for a faster one. A round trip that
    // stays slow (a database moved further away) is used from a few readings on, the fastest one
    // seen doubling with each left out.
    const slow = best.roundTripMs > Math.max(this.fastest * SLOW_READING_FACTOR, FAST_ENOUGH_MS);
    if (slow && Math.abs(best.offsetMs - this.clock.offsetMs) <= best.roundTripMs) {
      this.fastest *= 2;
      return;
    }
    this.fastest = Math.min(this.fastest, best.roundTripMs);
    this.clock.setOffset(best.offsetMs);
    this.report();
  }

  /** Whether the host's clock was stepped by {@link STEP_MS} or more since the last measurement. */
  stepped(): boolean {
    return this.base !== null && Math.abs(Date.now() - performance.now() - this.base) >= STEP_MS;
  }

  /**
   * {@link measure}, when the host's clock was stepped since the last time or
   * {@link REMEASURE_INTERVAL_MS} passed.
   */
  async maybeMeasure(): Promise<void> {
    if (this.stepped() || performance.now() - this.lastAt >= REMEASURE_INTERVAL_MS) await this.measure();
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
