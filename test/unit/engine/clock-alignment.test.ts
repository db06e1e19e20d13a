/**
 * ClockAlignment: the offset of the store's clock, taken from the fastest reading, applied to the
 * node's clock; slow readings and failed ones change nothing; a host clock a second or more off is
 * logged once, and again only when it moves as much.
 */
import { describe, expect, it } from 'vitest';
import { OffsetClock } from '../../../src/clock.js';
import { ClockAlignment } from '../../../src/engine/clock-alignment.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { dropSchema, freshSchema, PG_URL } from '../../store/pg-fixture.js';

type Reading = { offsetMs: number; roundTripMs: number } | Error;

function aligned(readings: Reading[]) {
  const clock = new OffsetClock();
  const logged: { level: string; msg: string }[] = [];
  const log = (level: string) => (_obj: object, msg?: string) => logged.push({ level, msg: msg ?? '' });
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const store = {
    clockOffset: async () => {
      const next = readings.shift();
      if (next === undefined) throw new Error('no more readings');
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return { clock, logged, alignment: new ClockAlignment(store, clock, logger as never) };
}

describe('ClockAlignment', () => {
  it('sets the offset of the fastest of several readings, in whole milliseconds', async () => {
    const { clock, alignment, logged } = aligned([
      { offsetMs: 40.2, roundTripMs: 9 },
      { offsetMs: 12.6, roundTripMs: 1 },
      { offsetMs: 30, roundTripMs: 4 },
    ]);
    const before = Date.now();
    await alignment.measure(3);
    expect(clock.offsetMs).toBe(13);
    expect(alignment.offsetMs).toBe(13);
    expect(clock.now() - before).toBeGreaterThanOrEqual(13);
    expect(logged).toEqual([]);
  });

  it('leaves the offset when a reading is slow against the fastest seen, or fails', async () => {
    const { clock, alignment, logged } = aligned([
      { offsetMs: 5, roundTripMs: 2 },
      { offsetMs: 9000, roundTripMs: 50 },
      new Error('connection refused'),
    ]);
    await alignment.measure();
    await alignment.measure();
    await alignment.measure();
    expect(clock.offsetMs).toBe(5);
    expect(logged.map((l) => l.level)).toEqual(['debug']);
  });

  it('uses a round trip that stays slow after a few readings (a database moved further away)', async () => {
    const slow = { offsetMs: 700, roundTripMs: 50 };
    const { clock, alignment } = aligned([{ offsetMs: 5, roundTripMs: 2 }, slow, slow, slow, slow, slow]);
    await alignment.measure();
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) {
      await alignment.measure();
      offsets.push(clock.offsetMs);
    }
    expect(offsets).toEqual([5, 5, 5, 5, 700]);
  });

  it("warns once when the host's clock is a second or more off, again when it moves a second, and says when it is back", async () => {
    const { alignment, logged } = aligned([
      { offsetMs: 30_000, roundTripMs: 1 },
      { offsetMs: 30_400, roundTripMs: 1 },
      { offsetMs: -2_000, roundTripMs: 1 },
      { offsetMs: 3, roundTripMs: 1 },
    ]);
    for (let i = 0; i < 4; i++) await alignment.measure();
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
