// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * A step's `input` (or a `condition`) written as the JSON value it should produce —
 * `"input": {"seconds": 1}` instead of the CEL expression `"input": "{'seconds': 1}"`, a plausible
 * first try — was refused as "must be a non-empty string of at most 4096 characters, got an
 * object", which does not say that an expression is expected nor how to write one. The message now
 * says so and gives the value as the expression that produces it.
 */
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/definition/validate.js';
import { ValidationError } from '../../../src/index.js';

function issues(steps: unknown): { path: string; message: string }[] {
  try {
    validateDefinition('w', steps);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('accepted');
}

describe('an expression given as a JSON value rather than a string', () => {
  it('an input object: names the expression to write instead', () => {
    expect(
      issues([{ name: 'a', action: 'delay', input: { seconds: 1, note: "it's", list: [true, null] } }]),
    ).toEqual([
      {
        path: 'steps[0].input',
        message: `must be a CEL expression in a string, got an object: write it as the string "{'seconds': 1, 'note': 'it\\\\'s', 'list': [true, null]}"`,
      },
    ]);
  });

  it('a condition given as a boolean, an input as a number or list', () => {
    expect(
      issues([
        { name: 'a', action: 'noop', input: [1, 'x'] },
        { name: 'b', condition: true, then: 'a' },
        { name: 'c', action: 'noop', input: 2.5 },
      ]),
    ).toEqual([
      {
        path: 'steps[0].input',
        message: `must be a CEL expression in a string, got an array: write it as the string "[1, 'x']"`,
      },
      {
        path: 'steps[1].condition',
        message: 'must be a CEL expression in a string, got true: write it as the string "true"',
      },
      {
        path: 'steps[2].input',
        message: 'must be a CEL expression in a string, got 2.5: write it as the string "2.5"',
      },
    ]);
  });

  it('a value too large to repeat is named by its kind only', () => {
    const big = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`key${i}`, i]));
    expect(issues([{ name: 'a', action: 'noop', input: big }])).toEqual([
      { path: 'steps[0].input', message: 'must be a CEL expression in a string, got an object' },
    ]);
  });
});
