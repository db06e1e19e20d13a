/**
 * createDashboard checks its options besides the durations (test/server/dashboard-options.test.ts)
 * when called: `pageSize: 0` (or NaN, 1.5) made the executions page answer 400 on every load,
 * `maxLoginFailures: NaN` locked an address out after one failed sign-in, `allowedOrigins` given
 * as a string let any origin that is a substring of it POST, and a misspelt option was ignored.
 * Each is now a ValidationError naming the option.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { createDashboard } from '../../src/index.js';

describe('createDashboard options besides durations', () => {
  it.each([
    ['pageSize', 0],
    ['pageSize', Number.NaN],
    ['pageSize', 1.5],
    ['pageSize', 10_001],
    ['maxLoginFailures', Number.NaN],
    ['maxLoginFailures', 0],
    ['maxLoginFailures', 2.5],
    ['allowedOrigins', 'https://app.example.com'],
    ['allowedOrigins', [5]],
    ['secret', ''],
    ['secret', 5],
    ['secureCookie', 'yes'],
    ['now', 5],
    ['nodes', []],
  ])('refuses %s: %s naming it', (key, value) => {
    let error: unknown;
    try {
      createDashboard({ [key]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([key]);
  });

  it('refuses a misspelt option and options that are no object', () => {
    expect(() => createDashboard({ pagesize: 50 } as never)).toThrow(/pagesize: unknown key 'pagesize'/);
    expect(() => createDashboard(null as never)).toThrow(ValidationError);
    expect(() => createDashboard([] as never)).toThrow(ValidationError);
  });

  it('takes the documented options', () => {
    expect(() =>
      createDashboard({
        secret: 'a-long-secret',
        sessionTtlSeconds: 60,
        nodes: () => [],
        pageSize: 10,
        bucketSeconds: 1,
        windowMinutes: 5,
        alertWindowMinutes: 1,
        allowedOrigins: ['https://app.example.com'],
        secureCookie: true,
        maxLoginFailures: 3,
        now: () => 0,
      }),
    ).not.toThrow();
    expect(() => createDashboard({ secret: Buffer.from('k') })).not.toThrow();
    expect(() => createDashboard()).not.toThrow();
  });
});
