/**
 * The timestamp accessors read the zone CEL is given, whatever the server's own: the library read a
 * zone's wall clock back through the server's zone (on a server in Europe/Berlin, 06:30Z on
 * 2024-03-31 was 3 o'clock in New York, and `getDayOfYear()` was a day short all summer), and it
 * refused CEL's fixed offsets (`'+05:30'`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { failureMessage, refusal } from './expression-probes.js';

function run(source: string, input: unknown = null): unknown {
  return compileExpression(source).evaluate({ result: null, input, steps: {} });
}

describe('timestamp accessors on a server outside UTC', () => {
  const zone = process.env.TZ;
  beforeAll(() => {
    // Node reads a change of TZ at once: the server's zone, here one with summer time.
    process.env.TZ = 'Europe/Berlin';
  });
  afterAll(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it.each([
    // 02:30 in New York is a time Berlin skips that night.
    ["timestamp('2024-03-31T06:30:00Z').getHours('America/New_York')", 2],
    ["timestamp('2024-07-10T15:04:05Z').getDayOfYear()", 191],
    ["timestamp('2024-07-10T15:04:05Z').getDayOfYear('UTC')", 191],
    ["timestamp('2024-07-10T23:30:00Z').getDayOfYear('Asia/Tokyo')", 192],
    ["timestamp('2024-01-01T00:00:00Z').getDayOfYear()", 0],
    ["timestamp('2024-12-31T12:00:00Z').getDayOfYear()", 365],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe('timestamp accessors with a time zone', () => {
  const at = "timestamp('2024-12-31T23:04:05.123Z')";

  it.each([
    [`${at}.getHours('+05:30')`, 4],
    [`${at}.getMinutes('+05:30')`, 34],
    [`${at}.getFullYear('+05:30')`, 2025],
    [`${at}.getMonth('+05:30')`, 0],
    [`${at}.getDate('+05:30')`, 1],
    [`${at}.getDayOfMonth('+05:30')`, 0],
    [`${at}.getDayOfYear('+05:30')`, 0],
    [`${at}.getDayOfWeek('+05:30')`, 3],
    [`${at}.getHours('-08:00')`, 15],
    [`${at}.getSeconds('-08:00')`, 5],
    [`${at}.getMilliseconds('-08:00')`, 123],
    [`${at}.getHours('America/New_York')`, 18],
    [`${at}.getHours('Asia/Kolkata')`, 4],
    [`${at}.getHours()`, 23],
    [`${at}.getDayOfWeek()`, 2],
    ['timestamp(input.at).getHours(input.zone)', 4],
  ])('%s is %j', (source, expected) => {
    expect(run(source, { at: '2024-12-31T23:04:05Z', zone: '+05:30' })).toBe(expected);
  });

  it('a duration keeps its own accessors', () => {
    expect(run("duration('90m').getHours()")).toBe(1);
    expect(run("duration('90m').getMinutes()")).toBe(90);
  });

  it('names what is wrong with a zone it cannot read', () => {
    const message = failureMessage('bad zone', () =>
      run('timestamp(input.at).getHours(input.zone)', { at: '2024-12-31T23:04:05Z', zone: 'Mars/Base' }),
    );
    expect(message).toContain("unknown time zone 'Mars/Base'");
    expect(message).toContain("'+05:30'");
  });

  it('refuses a literal zone that is not one in a new definition only', () => {
    expect(refusal("timestamp(input.at).getHours('America/NewYork') > 8")?.message).toContain(
      "getHours() always fails: unknown time zone 'America/NewYork'",
    );
    expect(compileExpression("timestamp(input.at).getHours('America/NewYork') > 8").source).toBeTruthy();
    expect(refusal("timestamp(input.at).getHours('+05:30') > 8")).toBeNull();
    expect(refusal("timestamp(input.at).getHours('Europe/Paris') > 8")).toBeNull();
  });
});
