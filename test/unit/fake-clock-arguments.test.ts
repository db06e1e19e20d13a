/**
 * FakeClock's arguments: `advance(NaN)` (or `advance(undefined)`) made `now()` NaN for good and
 * fired every timer, `advance(-1000)` moved time backwards, `advance('5')` made `now()` the
 * string '1767225600000' + '5', and `new FakeClock(NaN)` started at NaN. They now throw a
 * ValidationError naming the argument; a timer set for NaN ms fires at once, as the system
 * clock's does, without making `now()` NaN while it runs.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { ValidationError } from '../../src/errors.js';

const START = Date.UTC(2026, 0, 1);

describe('FakeClock arguments', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1000, '5', undefined, null, {}])(
    'advance refuses %s naming `ms`, leaving time and timers as they were',
    async (ms) => {
      const clock = new FakeClock();
      let fired = 0;
      clock.setTimer(() => fired++, 10);
      await expect(clock.advance(ms as never)).rejects.toThrow(ValidationError);
      await expect(clock.advance(ms as never)).rejects.toThrow(/`ms`/);
      expect(clock.now()).toBe(START);
      expect(fired).toBe(0);
      expect(clock.pendingTimers).toBe(1);
    },
  );

  it.each([Number.NaN, Number.NEGATIVE_INFINITY, '0', null, {}])(
    'the constructor refuses start %s',
    (start) => {
      expect(() => new FakeClock(start as never)).toThrow(/`start`/);
    },
  );

  it.each([Number.NaN, -1, 1.5, '3', null])('runAll refuses limit %s', async (limit) => {
    await expect(new FakeClock().runAll(limit as never)).rejects.toThrow(/`limit`/);
  });

  it('fires a timer set for NaN ms at once, with now() still a number', async () => {
    const clock = new FakeClock();
    const seen: number[] = [];
    clock.setTimer(() => seen.push(clock.now()), Number.NaN);
    await clock.advance(0);
    expect(seen).toEqual([START]);
    expect(clock.now()).toBe(START);
  });

  it('still takes advance(0), fractions and a start of 0', async () => {
    const clock = new FakeClock(0);
    await clock.advance(0);
    await clock.advance(1.5);
    expect(clock.now()).toBe(1.5);
    await clock.runAll(0);
  });
});
