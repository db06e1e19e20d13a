/**
 * Time, injected. Nothing in the engine calls `Date.now()` or `setTimeout` directly, so
 * backoff, timeouts, leases and durable timers can be tested in virtual time.
 * @module
 */
import { describeValue } from './describe-value.js';
import { ValidationError } from './errors.js';

/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void;
}

/** The source of time and timers. */
export interface Clock {
  /** Milliseconds since the epoch (the engine rounds fractions down: its stores keep whole ms). */
  now(): number;
  /**
   * Calls `fn` after `ms` milliseconds (never before). A `background` timer does not keep the
   * process alive (housekeeping); others do (a step waiting on a backoff or a timer must).
   */
  setTimer(fn: () => void, ms: number, background?: boolean): TimerHandle;
  /** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Whether `clock`'s timers are Node's own, which follow monotonic time rather than `now()`: the
 * system clock, or it moved by an offset ({@link OffsetClock}).
 */
export function followsSystemTime(clock: Clock): boolean {
  return clock === systemClock || clock instanceof OffsetClock;
}

/** Largest delay Node's timers accept (a longer one fires after 1 ms); longer waits are chained. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms, background = false) {
    let handle: NodeJS.Timeout;
    let cancelled = false;
    const arm = (remaining: number) => {
      const step = Math.min(Math.max(0, remaining), MAX_TIMER_MS);
      handle = setTimeout(() => {
        if (cancelled) return;
        if (remaining > MAX_TIMER_MS) arm(remaining - MAX_TIMER_MS);
        else fn();
      }, step);
      if (background) handle.unref();
    };
    arm(ms);
    return {
      cancel() {
        cancelled = true;
        clearTimeout(handle);
      },
    };
  },
  sleep(ms, signal) {
    return sleepWith(systemClock, ms, signal);
  },
};

/**
 * The database's time, kept by this process: in cluster mode, every node stamps and reads leases,
 * heartbeats, deadlines and timers on the database's time line whatever its host's clock says
 * (`engine/clock-alignment.ts` measures the offset). Between measurements it runs on Node's
 * monotonic clock from the last one, so a step of the host's clock (NTP, an operator) does not move
 * it either; the next measurement corrects what the monotonic clock drifted. Its timers are the
 * system clock's: a wait of `ms` is `ms` of monotonic time.
 */
export class OffsetClock implements Clock {
  /** The offset measured last: the database's time minus `Date.now()` then, whole milliseconds. */
  private offset = 0;
  /** The database's time at `performance.now()` 0, as of the last measurement. */
  private anchor = Date.now() - performance.now();

  /** The offset measured last (the database's time minus this host's), in milliseconds. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Sets the offset of the database's time from `Date.now()`, as measured now. */
  setOffset(ms: number): void {
    this.offset = Number.isFinite(ms) ? Math.round(ms) : 0;
    this.anchor = Date.now() + this.offset - performance.now();
  }

  now(): number {
    return Math.floor(this.anchor + performance.now());
  }

  setTimer(fn: () => void, ms: number, background?: boolean): TimerHandle {
    return systemClock.setTimer(fn, ms, background);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
}

/**
 * `clock` reading whole milliseconds (`now()` rounded down; timers as they are). The engine's
 * times go to stores whose columns hold whole milliseconds (PostgreSQL `bigint`): an injected
 * clock with fractions (`performance.timeOrigin + performance.now()`, a `FakeClock` that fired a
 * timer of a fractional delay) made every such write fail. Rounding down keeps timers from ending
 * early: a wait until `at` goes on until `now()` has reached it.
 */
export function wholeMilliseconds(clock: Clock): Clock {
  if (followsSystemTime(clock)) return clock;
  return {
    now: () => Math.floor(clock.now()),
    setTimer: (fn, ms, background) => clock.setTimer(fn, ms, background),
    sleep: (ms, signal) => clock.sleep(ms, signal),
  };
}

/**
 * Milliseconds from `start` to `end`, never negative: a system clock set back between the two
 * readings (NTP, a VM resumed) would otherwise give a negative duration; what cannot be measured
 * then counts as 0.
 */
export function elapsedMs(start: number, end: number): number {
  return end > start ? end - start : 0;
}

/**
 * Whether `intervalMs` has passed since `last` by the clock's `now`: also when `last` lies ahead of
 * `now`, as after the system clock was stepped back (NTP, a VM resumed), else what runs once an
 * interval would stop for the size of the step.
 */
export function intervalPassed(now: number, last: number, intervalMs: number): boolean {
  return now - last >= intervalMs || now < last;
}

/** Always true: an injected clock's `now()` is the time its timers follow. */
const ALWAYS = () => true;

/**
 * Whether `ms` have passed since this call by the time `clock`'s timers follow: for the system
 * clock Node's monotonic time, which a step of the system clock (NTP, a VM resumed) does not move
 * while `now()` jumps; for an injected clock, always (its `now()` is its timers' time). A deadline
 * kept by a timer of `ms` and checked by `now()` as well (see `AbortScope.expireIfLate`) is past
 * only when both say so: a clock stepped forward does not make it so.
 */
export function timerTimePassed(clock: Clock, ms: number): () => boolean {
  if (!followsSystemTime(clock)) return ALWAYS;
  const start = performance.now();
  return () => performance.now() - start >= ms;
}

/**
 * Milliseconds left of `ms` from this call by the time `clock`'s timers follow (see
 * {@link timerTimePassed}): for the system clock by Node's monotonic time, so a step of the system
 * clock neither shortens nor lengthens it; for an injected clock by its `now()`.
 */
export function timerTimeLeft(clock: Clock, ms: number): () => number {
  if (!followsSystemTime(clock)) {
    const end = clock.now() + ms;
    return () => end - clock.now();
  }
  const start = performance.now();
  return () => ms - (performance.now() - start);
}

/** `sleep` built on a clock's `setTimer`, honouring an AbortSignal. */
export function sleepWith(clock: Pick<Clock, 'setTimer'>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sleeps until `clock.now()` reaches `at` (an absolute time): Node's timers run on a monotonic
 * millisecond clock that rounds differently from `Date.now()`, so one sleep may end up to a
 * millisecond early by `now()`; the rest is slept again.
 */
export async function sleepUntil(clock: Clock, at: number, signal?: AbortSignal): Promise<void> {
  for (let left = at - clock.now(); left > 0; left = at - clock.now()) await clock.sleep(left, signal);
}

/** @throws ValidationError ('Invalid <method> arguments') naming `path` unless `ok(value)`. */
function checkArgument(
  method: string,
  value: unknown,
  ok: (n: number) => boolean,
  path: string,
  expected: string,
): void {
  if (typeof value !== 'number' || !ok(value)) {
    throw new ValidationError(
      [{ path, message: `Expected \`${path}\` to be ${expected}, got ${describeValue(value)}` }],
      `Invalid ${method} arguments`,
    );
  }
}

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock for tests: time stands still until `advance` moves it, firing due timers in order
 * and letting promise callbacks run between them.
 */
export class FakeClock implements Clock {
  private current: number;
  private timers: FakeTimer[] = [];
  private seq = 0;

  /** @throws ValidationError when `start` is not a finite number (milliseconds since the epoch). */
  constructor(start = Date.UTC(2026, 0, 1)) {
    checkArgument('FakeClock', start, Number.isFinite, 'start', 'a finite number of milliseconds');
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** A delay of NaN fires at once, as the system clock's does (Node's `setTimeout` takes it as 1 ms). */
  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { at: this.current + (Math.max(0, ms) || 0), seq: this.seq++, fn };
    this.timers.push(timer);
    return {
      cancel: () => {
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, in order.
   * @throws ValidationError (rejects) when `ms` is not a finite non-negative number: time never
   *   moves backwards.
   */
  async advance(ms: number): Promise<void> {
    checkArgument('advance', ms, (n) => Number.isFinite(n) && n >= 0, 'ms', 'a finite non-negative number');
    const target = this.current + ms;
    for (;;) {
      await settle();
      const next = this.nextDue(target);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
    await settle();
  }

  /**
   * Fires timers one by one (advancing time to each) until none is left or `limit` fired.
   * @throws ValidationError (rejects) when `limit` is not a non-negative integer.
   */
  async runAll(limit = 10_000): Promise<void> {
    checkArgument(
      'runAll',
      limit,
      (n) => Number.isSafeInteger(n) && n >= 0,
      'limit',
      'a non-negative integer',
    );
    for (let i = 0; i < limit; i++) {
      await settle();
      // A timer set for Infinity never fires, as with the system clock.
      const next = this.nextDue(Number.MAX_VALUE);
      if (!next) return;
      await this.advance(next.at - this.current);
    }
  }

  private nextDue(until: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (t.at > until) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets pending promise callbacks and I/O callbacks run (a few macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
