/**
 * The CLI's duration options are bounded like the library's: `serve --grace 1e10` used to be
 * accepted at start and refused by `close()` only on SIGTERM, so running steps got no grace at all.
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.js';
import {
  parseDuration,
  parseExecutionId,
  parseGrace,
  parseJsonOption,
  parseSeconds,
} from '../../../src/cli/parse.js';
import { MAX_SECONDS } from '../../../src/definition/schema.js';

describe('duration options', () => {
  it('read purge --older-than in units, or plain seconds written as the seconds options take them', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400);
    expect(parseDuration('1.5h')).toBe(5_400);
    expect(parseDuration('3600')).toBe(3_600);
    // 1e3 was refused here while --timeout and --grace took it.
    expect(parseDuration('1e3')).toBe(1_000);
    expect(parseSeconds('1e3')).toBe(1_000);
    expect(parseDuration('2E1m')).toBe(1_200);
    for (const bad of ['', '0', '-5', '5x', '1e', 'e3', '1e400', 'd']) {
      expect(() => parseDuration(bad), bad).toThrow(InvalidArgumentError);
    }
  });

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

  // Number() reads hexadecimal, binary and octal: `--timeout 0x10` waited 16 seconds.
  it.each(['0x10', '0b11', '0o7', '+5', '1_000'])('take decimal seconds only, refusing %j', (value) => {
    expect(() => parseSeconds(value)).toThrow(InvalidArgumentError);
    expect(() => parseGrace(value)).toThrow(InvalidArgumentError);
  });

  it('still take decimal forms: fractions, a leading dot, an exponent, spaces around', () => {
    expect(parseSeconds('.5')).toBe(0.5);
    expect(parseSeconds('1e3')).toBe(1000);
    expect(parseSeconds(' 7 ')).toBe(7);
    expect(parseGrace('5.')).toBe(5);
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

describe('JSON options', () => {
  it('refuses --input with an integer past 2^53, which JSON.parse would round', () => {
    expect(() => parseJsonOption('--input', '{"order": {"id": 12345678901234567890}}', {})).toThrow(
      new UsageError(
        '--input: order.id is 12345678901234567890, an integer a JSON number cannot hold exactly (it would be 12345678901234567000): send it as a string',
      ),
    );
    expect(parseJsonOption('--input', '{"id": "12345678901234567890"}', {})).toEqual({
      id: '12345678901234567890',
    });
  });

  it('refuses --input with a key twice, which JSON.parse would keep only the last of', () => {
    expect(() => parseJsonOption('--input', '{"amount": 10, "items": [1], "amount": 1000}', {})).toThrow(
      new UsageError("--input: has the key 'amount' twice (give each key once)"),
    );
    expect(() => parseJsonOption('--input', '{"order": {"id": 1, "id": 2}}', {})).toThrow(
      new UsageError("--input: order has the key 'id' twice (give each key once)"),
    );
    expect(parseJsonOption('--input', '{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}', {})).toEqual({
      a: { a: 1 },
      b: [{ a: 2 }, { a: 3 }],
    });
  });
});

describe('list --before', () => {
  it('takes an execution id and refuses anything else, saying what it expects', () => {
    expect(parseExecutionId('exec_00mik5q5c0001a1b2c3d4e5')).toBe('exec_00mik5q5c0001a1b2c3d4e5');
    for (const value of [
      '',
      'nope',
      'exec_',
      'EXEC_00MIK5Q5C0001A1B2C3D4E5',
      'exec_00mik5q5c0001a1b2c3d4e5 ',
      // 23 letters and digits, but the last 10 are the process part, which is hexadecimal.
      `exec_${'z'.repeat(23)}`,
    ]) {
      expect(() => parseExecutionId(value), value).toThrow(
        'Expected an execution id (exec_ followed by 23 lowercase letters and digits, the last 10 of them 0-9 or a-f).',
      );
    }
  });
});
