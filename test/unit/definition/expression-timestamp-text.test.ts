/**
 * `timestamp()` reads RFC 3339 text as CEL does: the library refused text longer than 30 characters
 * (Python's `isoformat()`, `'2024-03-10T15:04:05.123456+00:00'`) and JavaScript's `Date` rolled a date
 * that does not exist over (`'2023-02-29T00:00:00Z'` was March 1, `T24:00:00` the next day). A literal
 * in a new definition must be RFC 3339 with an offset. Text without an offset was read in the server's
 * time zone; it fails now, whatever that zone (an HTTP date, which names its zone, is still read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { failureMessage, refusal } from './expression-probes.js';

function run(source: string, input: unknown = null): unknown {
  return compileExpression(source).evaluate({ result: null, input, steps: {} });
}

describe('timestamp() of a date that does not exist', () => {
  it.each([
    ['2023-02-29T00:00:00Z', 'February 2023 has 28 days, not 29'],
    ['2024-02-30T00:00:00Z', 'February 2024 has 29 days, not 30'],
    ['2024-04-31T12:00:00+02:00', 'April 2024 has 30 days, not 31'],
    ['1900-02-29T00:00:00Z', 'February 1900 has 28 days, not 29'],
    ['2024-03-10T24:00:00Z', 'the time of day is past 23:59:59'],
    ['2024-03-10T23:60:00Z', 'the time of day is past 23:59:59'],
    ['2024-03-10 23:59:60.5z', 'the time of day is past 23:59:59'],
  ])('%s fails: %s', (at, why) => {
    const message = failureMessage(at, () =>
      run('timestamp(input.at) > timestamp(input.now)', { at, now: '2020-01-01T00:00:00Z' }),
    );
    expect(message).toContain(`timestamp() of '${at}': ${why}`);
  });

  it.each([
    ['2024-03-10T15:04:05.123456+00:00', '2024-03-10T15:04:05.123Z'],
    ['2024-03-10T15:04:05.123456789-05:30', '2024-03-10T20:34:05.123Z'],
    ['2024-03-10t15:04:05.9999z', '2024-03-10T15:04:05.999Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0099-03-01T00:00:00Z', '0099-03-01T00:00:00.000Z'],
    ['2000-02-29T23:59:59.999Z', '2000-02-29T23:59:59.999Z'],
    ['2024-12-31T23:59:59-05:00', '2025-01-01T04:59:59.000Z'],
    ['2024-03-10 15:04:05Z', '2024-03-10T15:04:05.000Z'],
    ['Sun, 10 Mar 2024 15:04:05 GMT', '2024-03-10T15:04:05.000Z'],
  ])('%s is read', (at, expected) => {
    expect(run('timestamp(input.at)', { at })).toBe(expected);
  });

  it('a literal that does not exist is refused in a new definition', () => {
    expect(refusal("timestamp(input.at) > timestamp('2023-02-29T00:00:00Z')")?.message).toContain(
      "timestamp('2023-02-29T00:00:00Z') always fails (timestamp() of '2023-02-29T00:00:00Z': February 2023 has 28 days, not 29)",
    );
  });

  it.each([
    "timestamp('2024-03-10 15:04:05Z')",
    "timestamp('Sun, 10 Mar 2024 15:04:05 GMT')",
    "timestamp('2024-03-10T15:04:05+0100')",
  ])('a new definition must write %s as RFC 3339 with an offset', (call) => {
    const source = `timestamp(input.at) > ${call}`;
    expect(refusal(source)?.message).toContain(`${call.slice(0, -1)}) is not RFC 3339 text with an offset`);
    expect(compileExpression(source).newDefinitionProblem).not.toBeNull();
    // A stored version still runs it.
    expect(run(source, { at: '2030-01-01T00:00:00Z' })).toBe(true);
  });

  describe("whatever the server's time zone", () => {
    const zone = process.env.TZ;
    beforeAll(() => {
      process.env.TZ = 'America/New_York';
    });
    afterAll(() => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    });

    it.each(['2024-01-01T00:00:00', '2024-01-01T00:00:00.000', '2024-01-01 00:00:00.5'])(
      '%s, without an offset, fails',
      (at) => {
        const message = failureMessage(at, () =>
          run('timestamp(input.at) > timestamp(input.now)', {
            at,
            now: '2020-01-01T00:00:00Z',
          }),
        );
        expect(message).toContain(`timestamp() of '${at}': it has no offset: write Z or one such as +01:00`);
      },
    );

    it.each(['March 10, 2024 15:04:05', '2024/03/10 15:04:05.000', 'Sun Mar 10 2024 15:04:05'])(
      '%s, which JavaScript would read in that zone, fails',
      (at) => {
        expect(failureMessage(at, () => run('timestamp(input.at)', { at }))).toContain(
          `timestamp() of '${at}': it is not RFC 3339 text`,
        );
      },
    );

    it.each([
      ['Sun, 10 Mar 2024 15:04:05 GMT', '2024-03-10T15:04:05.000Z'],
      ['10 Mar 2024 15:04:05 +0100', '2024-03-10T14:04:05.000Z'],
      ['2024-03-10T15:04:05+01:00', '2024-03-10T14:04:05.000Z'],
    ])('%s is read as the instant it names', (at, expected) => {
      expect(run('timestamp(input.at)', { at })).toBe(expected);
    });

    it('refuses a literal without an offset in a new definition', () => {
      expect(refusal("timestamp(input.at) > timestamp('2024-03-10T15:04:05')")?.message).toContain(
        "steps[0].condition: Invalid expression 'timestamp(input.at) > timestamp('2024-03-10T15:04:05')': timestamp('2024-03-10T15:04:05') always fails (timestamp() of '2024-03-10T15:04:05': it has no offset",
      );
    });
  });

  it('takes RFC 3339 literals', () => {
    expect(refusal("timestamp(input.at) > timestamp('2024-03-10T15:04:05Z')")).toBeNull();
    expect(refusal("timestamp(input.at) > timestamp('2024-03-10t15:04:05.123456789+05:30')")).toBeNull();
  });
});
