/**
 * The dashboard's durations are checked when it is created, naming the option and its bound. A
 * `sessionTtlSeconds` of Infinity, NaN or a huge number used to make every sign-in a silent no-op
 * (the signed expiry did not survive its own encoding, so the new session was refused at once: the
 * sign-in page came back), `bucketSeconds: 0` or a huge `windowMinutes` threw a bare RangeError
 * (or allocated millions of chart buckets), and a NaN `alertWindowMinutes` hid every alert.
 */
import { describe, expect, it } from 'vitest';
import { createDashboard, ValidationError } from '../../src/index.js';

function refusal(options: Parameters<typeof createDashboard>[0]): ValidationError {
  try {
    createDashboard(options);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe('createDashboard duration options', () => {
  it('accepts fractions and the documented bounds', () => {
    expect(() =>
      createDashboard({
        sessionTtlSeconds: 0.5,
        bucketSeconds: 0.5,
        windowMinutes: 1.5,
        alertWindowMinutes: 0,
      }),
    ).not.toThrow();
    expect(() => createDashboard({ sessionTtlSeconds: 1e9, alertWindowMinutes: 1e9 / 60 })).not.toThrow();
    expect(() => createDashboard({ bucketSeconds: 1, windowMinutes: 10_000 / 60 })).not.toThrow();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e9 + 1, '3600'])(
    'refuses a sessionTtlSeconds of %s',
    (value) => {
      expect(refusal({ sessionTtlSeconds: value as never }).message).toMatch(
        /sessionTtlSeconds: .*at most 1000000000/,
      );
    },
  );

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5'])('refuses a bucketSeconds of %s', (value) => {
    expect(refusal({ bucketSeconds: value as never }).message).toMatch(/bucketSeconds: /);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a windowMinutes of %s', (value) => {
    expect(refusal({ windowMinutes: value as never }).message).toMatch(/windowMinutes: /);
  });

  it('refuses a chart window of more than 10000 buckets, naming both options', () => {
    const message = refusal({ bucketSeconds: 1, windowMinutes: 1e6 }).message;
    expect(message).toMatch(/windowMinutes: .*10000 buckets of `bucketSeconds`/);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 1e9])('refuses an alertWindowMinutes of %s', (value) => {
    expect(refusal({ alertWindowMinutes: value }).message).toMatch(/alertWindowMinutes: /);
  });
});
