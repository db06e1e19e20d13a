/**
 * ClockAlignment: the offset of the store's clock, taken from the fastest reading, applied to the
 * node's clock; slow readings that change little and failed ones change nothing; a reading that
 * does not answer is given up; a step of the host's clock measures again at once; a host clock a
 * second or more off is logged once, and again only when it moves as much.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OffsetClock } from '../../../src/clock.js';
import { ClockAlignment, STEP_MS } from '../../../src/engine/clock-alignment.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { dropSchema, freshSchema, PG_URL } from '../../store/pg-fixture.js';

type Reading = { offsetMs: number; roundTripMs: number } | Error | 'hang';

function aligned(readings: Reading[]) {
  const clock = new OffsetClock();
  const logged: { level: string; msg: string }[] = [];
  const log = (level: string) => (_obj: object, msg?: string) => logged.push({ level, msg: msg ?? '' });
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  let asked = 0;
  const store = {
    clockOffset: async () => {
      asked++;
      const next = readings.shift();
      if (next === undefined) throw new Error('no more readings');
      if (next === 'hang') return new Promise<never>(() => undefined);
      if (next instanceof Error) throw next;
      return next;
    },
  };
  const alignment = new ClockAlignment(store, clock, logger as never, 50);
  return { clock, logged, alignment, asked: () => asked };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ClockAlignment', () => {
  it('sets the offset of the fastest of several readings, in whole milliseconds', async () => {
    const { clock, alignment, logged } = aligned([
      { offsetMs: 40.2, roundTripMs: 9 },
      { offsetMs: 12.6, roundTripMs: 1 },
      { offsetMs: 30, roundTripMs: 4 },
    ]);
    const before = Date.now();
    await alignment.measure();
    expect(clock.offsetMs).toBe(13);
    expect(alignment.offsetMs).toBe(13);
    expect(clock.now() - before).toBeGreaterThanOrEqual(13);
    expect(logged).toEqual([]);
  });

  it('leaves out a slow reading that changes less than its round trip, and uses one that changes more', async () => {
    const { clock, alignment } = aligned([
      { offsetMs: 5, roundTripMs: 2 },
      { offsetMs: 30, roundTripMs: 50 },
      { offsetMs: 30_000, roundTripMs: 50 },
    ]);
    await alignment.measure(1);
    await alignment.measure(1);
    expect(clock.offsetMs).toBe(5);
    // A stepped clock shows through a slow round trip.
    await alignment.measure(1);
    expect(clock.offsetMs).toBe(30_000);
  });

  it('uses a round trip that stays slow after a few readings (a database moved further away)', async () => {
    const slow = { offsetMs: 40, roundTripMs: 50 };
    const { clock, alignment } = aligned([{ offsetMs: 5, roundTripMs: 2 }, slow, slow, slow, slow, slow]);
    await alignment.measure(1);
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) {
      await alignment.measure(1);
      offsets.push(clock.offsetMs);
    }
    expect(offsets).toEqual([5, 5, 5, 5, 40]);
  });

  it('gives up a reading that does not answer, keeps the offset, and warns once until one succeeds', async () => {
    const { clock, alignment, logged } = aligned([
      { offsetMs: 7, roundTripMs: 1 },
      'hang',
      new Error('connection refused'),
      'hang',
      { offsetMs: 8, roundTripMs: 1 },
      'hang',
    ]);
    await alignment.measure(1);
    await alignment.measure(2);
    await alignment.measure(1);
    expect(clock.offsetMs).toBe(7);
    expect(logged).toEqual([
      { level: 'warn', msg: expect.stringMatching(/^could not read the database's clock/) },
    ]);
    await alignment.measure(1);
    expect(clock.offsetMs).toBe(8);
    await alignment.measure(1);
    expect(logged.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('measures again at once when the host clock was stepped, not otherwise before a minute', async () => {
    const reading = { offsetMs: 0, roundTripMs: 1 };
    const { alignment, asked } = aligned([reading, reading, reading, reading, reading, reading]);
    await alignment.measure(1);
    await alignment.maybeMeasure();
    expect(asked()).toBe(1);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => now + STEP_MS + 100);
    expect(alignment.stepped()).toBe(true);
    await alignment.maybeMeasure();
    expect(asked()).toBe(4);
    expect(alignment.stepped()).toBe(false);
  });

  it("warns once when the host's clock is a second or more off, again when it moves a second, and says when it is back", async () => {
    const { alignment, logged } = aligned([
      { offsetMs: 30_000, roundTripMs: 1 },
      { offsetMs: 30_400, roundTripMs: 1 },
      { offsetMs: -2_000, roundTripMs: 1 },
      { offsetMs: 3, roundTripMs: 1 },
    ]);
    for (let i = 0; i < 4; i++) await alignment.measure(1);
    expect(logged).toEqual([
      {
        level: 'warn',
        msg: expect.stringMatching(
          /^this host's clock is 30\.0s behind the database's: .*fix the host's clock/,
        ),
      },
      { level: 'warn', msg: expect.stringMatching(/^this host's clock is 2\.0s ahead of the database's/) },
      { level: 'info', msg: "this host's clock is back within a second of the database's" },
    ]);
  });

  it('reads a real PostgreSQL server: on this host, within a few milliseconds', async () => {
    const schema = freshSchema();
    const store = new PostgresStore(PG_URL, { schema });
    await store.init();
    try {
      const reading = await store.clockOffset();
      expect(Math.abs(reading.offsetMs)).toBeLessThan(Math.max(50, reading.roundTripMs));
      expect(reading.roundTripMs).toBeGreaterThan(0);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});
