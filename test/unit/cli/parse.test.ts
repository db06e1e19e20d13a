/**
 * The CLI's duration options are bounded like the library's: `serve --grace 1e10` used to be
 * accepted at start and refused by `close()` only on SIGTERM, so running steps got no grace at all.
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseGrace, parseSeconds } from '../../../src/cli/parse.js';
import { MAX_SECONDS } from '../../../src/definition/schema.js';

describe('duration options', () => {
  it('take positive seconds up to the library bound, fractions included', () => {
    expect(parseSeconds('0.5')).toBe(0.5);
    expect(parseSeconds(String(MAX_SECONDS))).toBe(MAX_SECONDS);
    expect(parseGrace('0')).toBe(0);
    expect(parseGrace('0.0')).toBe(0);
    expect(parseGrace('2.5')).toBe(2.5);
    expect(parseGrace(String(MAX_SECONDS))).toBe(MAX_SECONDS);
  });

  it.each(['', ' ', '0', '-1', 'NaN', 'Infinity', 'abc', '1e10'])('refuse %j', (value) => {
    expect(() => parseSeconds(value)).toThrow(InvalidArgumentError);
  });

  it.each(['', '-1', 'NaN', 'Infinity', '1e10', String(MAX_SECONDS + 1)])(
    'refuse a --grace of %j, naming the bound',
    (value) => {
      // 0 is allowed (no grace): the message says so, not 'positive'.
      expect(() => parseGrace(value)).toThrow(
        `Expected 0 or a positive number of seconds, at most ${MAX_SECONDS}.`,
      );
    },
  );
});
