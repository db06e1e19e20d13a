/**
 * The PostgreSQL store's millisecond options are bounded where their timers are: past 2^31-1 ms
 * Node ran pg's `query_timeout` after 1 ms (every query failed with "Query read timeout"), and
 * PostgreSQL refuses an `idle_in_transaction_session_timeout` over INT_MAX (every connection failed).
 * Construction checks options only; it does not connect.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const MAX = 2_147_483_647;

describe.each(['queryTimeoutMs', 'idleInTransactionTimeoutMs'] as const)('PostgresStore %s', (key) => {
  it('takes 0 (off) up to 2^31-1 ms', () => {
    for (const value of [0, 1, MAX]) expect(() => new PostgresStore(URL, { [key]: value })).not.toThrow();
  });

  it.each([MAX + 1, 3_000_000_000, Number.POSITIVE_INFINITY, Number.NaN, -1, 1.5])(
    'refuses %d, naming the option and the bound',
    (value) => {
      let error: unknown;
      try {
        new PostgresStore(URL, { [key]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(
        new RegExp(`^Invalid PostgresStore options: ${key}: `),
      );
      expect((error as ValidationError).message).toContain(`at most ${MAX}`);
    },
  );
});

describe('PostgresStore options with several problems', () => {
  it('are refused in one ValidationError that lists each, with the value it got', () => {
    let error: unknown;
    try {
      new PostgresStore(URL, { schema: 'a b', poolSize: 'x', queryTimeoutMs: '5' } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/^Invalid PostgresStore options: /);
    expect((error as ValidationError).issues).toEqual([
      {
        path: 'schema',
        message: 'Expected a PostgreSQL schema name (letters, digits, _; at most 63), got "a b"',
      },
      { path: 'poolSize', message: `Expected a positive integer, at most ${MAX}, got "x"` },
      {
        path: 'queryTimeoutMs',
        message: `Expected a non-negative integer of milliseconds, at most ${MAX} (0: off), got "5"`,
      },
    ]);
  });

  it('name the lanes against a valid pool size only', () => {
    expect(() => new PostgresStore(URL, { poolSize: 0, writeLanes: 3 })).toThrow(
      expect.objectContaining({
        issues: [{ path: 'poolSize', message: `Expected a positive integer, at most ${MAX}, got 0` }],
      }),
    );
  });

  it('refuse a pool size past 2^31-1, as a store URL does', () => {
    expect(() => new PostgresStore(URL, { poolSize: MAX + 1 })).toThrow(
      expect.objectContaining({
        issues: [
          { path: 'poolSize', message: `Expected a positive integer, at most ${MAX}, got ${MAX + 1}` },
        ],
      }),
    );
  });
});
