/**
 * The examples' simulation flags refuse what they would have ignored: unknown input keys of a
 * first step, unknown `EXAMPLE_` variables, values of the wrong type; each error names the flag.
 */
import { describe, expect, it } from 'vitest';
import { firstStepFlags, flagsFor } from '../../../examples/services/simulation.js';

const ctx = { outputs: {} };

describe('example simulation flag checks', () => {
  it('a first step refuses an input key its workflow does not take, listing the valid ones', () => {
    expect(() => firstStepFlags({ a: 1, fails: 'x' }, ctx, ['a'], {})).toThrow(
      /^unknown input key 'fails'; this workflow takes a, fast, latency, failures, fail /,
    );
    expect(firstStepFlags({ a: 1, fail: 'x' }, ctx, ['a'], {})).toEqual({
      latency: 1,
      failures: {},
      fail: ['x'],
    });
  });

  it.each([
    [{ fast: 'yes' }, {}, /^fast must be true or false, got "yes"$/],
    [{ latency: -1 }, {}, /^latency must be a number of 0 or more, got -1$/],
    [{ failures: { a: 'two' } }, {}, /^failures must be an object of step names/],
    [{ fail: [1] }, {}, /^fail must be a step or compensation name or a list of them, got \[1\]$/],
    [{}, { EXAMPLE_FAST: 'yes' }, /^EXAMPLE_FAST must be 1, true, 0 or false, got "yes"$/],
    [{}, { EXAMPLE_LATENCY: 'slow' }, /^EXAMPLE_LATENCY must be a number of 0 or more, got "slow"$/],
    [{}, { EXAMPLE_FAILURES: '[2]' }, /^EXAMPLE_FAILURES must be an object of step names/],
    [
      {},
      { EXAMPLE_FAILS: 'a' },
      /^unknown environment variable EXAMPLE_FAILS; the examples read EXAMPLE_FAST, /,
    ],
  ])('refuses %j with env %j, naming the flag', (input, env, message) => {
    expect(() => flagsFor(input, ctx, env)).toThrow(message);
  });
});
