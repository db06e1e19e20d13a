/**
 * A config key refused for a value below its bound got two issues where one says it all:
 * 'retention: Expected `retention` to be a positive number, got -1; retention: Expected
 * `retention` to be at least 60 seconds, got -1' (sweepInterval the same, leaseSeconds with the
 * 3 × sweepInterval check). Each now gets one, the one that says what it takes.
 */
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/config.js';
import { ValidationError } from '../../src/errors.js';

function refusal(config: object): ValidationError {
  try {
    compileConfig(config as never);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('one issue per refused config key', () => {
  it.each([
    [{ retention: -1 }, 'retention: Expected `retention` to be at least 60 seconds, got -1'],
    [{ retention: 0 }, 'retention: Expected `retention` to be at least 60 seconds, got 0'],
    [{ sweepInterval: -1 }, 'sweepInterval: Expected `sweepInterval` to be at least 0.01 seconds, got -1'],
    [{ sweepInterval: 0 }, 'sweepInterval: Expected `sweepInterval` to be at least 0.01 seconds, got 0'],
    [{ leaseSeconds: -1 }, 'leaseSeconds: Expected `leaseSeconds` to be a positive number, got -1'],
    [{ leaseSeconds: 0 }, 'leaseSeconds: Expected `leaseSeconds` to be a positive number, got 0'],
  ])('%j', (config, message) => {
    const error = refusal(config);
    expect(error.issues).toHaveLength(1);
    expect(error.message).toBe(`Invalid config: ${message}`);
  });

  it('still says what a value that is no number or too large was', () => {
    expect(refusal({ retention: 'x' }).message).toBe(
      'Invalid config: retention: Expected `retention` to be a number of seconds, at least 60, got "x"',
    );
    expect(refusal({ retention: 1e12 }).message).toBe(
      'Invalid config: retention: Expected `retention` to be at most 1000000000 seconds, got 1000000000000',
    );
    expect(refusal({ leaseSeconds: 1, sweepInterval: 1 }).message).toBe(
      'Invalid config: leaseSeconds: Expected `leaseSeconds` to be at least 3 × `sweepInterval` (3), got 1',
    );
  });
});
