import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { constraintsOf } from '../../src/zod-constraints.js';

describe('constraintsOf', () => {
  it('says what a number schema takes from all its checks', () => {
    expect(constraintsOf(z.number().int().min(1).max(1000))).toBe('an integer from 1 to 1000');
    expect(constraintsOf(z.number().positive().max(10))).toBe('a positive number of at most 10');
    expect(constraintsOf(z.number().int().nonnegative())).toBe('a non-negative integer');
    expect(constraintsOf(z.number().gt(1).lt(5))).toBe('a number of more than 1 and less than 5');
    expect(constraintsOf(z.number().min(1).min(3))).toBe('a number of at least 3');
  });

  it('says what a string or array schema takes from its lengths', () => {
    expect(constraintsOf(z.string().min(1).max(256))).toBe('a non-empty string of at most 256 characters');
    expect(constraintsOf(z.string().min(2).max(5))).toBe('a string of 2 to 5 characters');
    expect(constraintsOf(z.array(z.string()).length(1))).toBe('an array of exactly 1 entry');
    expect(constraintsOf(z.array(z.string()).min(3))).toBe('an array of at least 3 entries');
  });

  it('has nothing to say of a schema without limits or of another kind', () => {
    expect(constraintsOf(z.number())).toBeUndefined();
    expect(constraintsOf(z.object({}))).toBeUndefined();
    expect(constraintsOf(undefined)).toBeUndefined();
  });
});
