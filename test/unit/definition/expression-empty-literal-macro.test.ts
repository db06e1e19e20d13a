/**
 * A macro over an empty list or map literal (`[].all(x, x > 0)`) was refused with the library's
 * internals ("Operator overload 'int > int: bool' overlaps with 'double > int: bool'"); the refusal
 * now says what is wrong and what to write, and names the step. Over data, or `dyn([])`, such a
 * macro runs as CEL says: `all` over nothing is true.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { refusal, refused } from './expression-probes.js';

describe('a macro over an empty list or map literal', () => {
  it.each([
    ['[].all(x, x > 0)', "an operand of '>' cannot be told (it could be int > int or double > int)"],
    ['[].exists(x, x > 0)', "an operand of '>'"],
    ['[].exists_one(x, x == 1)', "an operand of '=='"],
    ['[].map(x, x * 2)', "an operand of '*'"],
    ['[].filter(x, x + 1 > 0)', "an operand of '+'"],
    ['{}.exists(k, k > 0)', "an operand of '>'"],
    ['[].map(x, -x)', "the operand of '-'"],
  ])('%s is refused saying why', (source, operand) => {
    const message = refused(source);
    expect(message).toContain(`Invalid expression '${source}': the type of ${operand}`);
    expect(message).toContain('over an empty list or map literal, [] or {}, has no type');
    expect(message).not.toContain('overlaps with');
    expect(message).not.toContain('undefined');
  });

  it('names the step in a definition', () => {
    expect(refusal('[].all(x, x > 0)')?.message).toContain(
      "steps[0].condition: Invalid expression '[].all(x, x > 0)': the type of an operand of '>' cannot be told",
    );
  });

  it.each([
    ['dyn([]).all(x, x > 0)', true],
    ['dyn([]).exists(x, x > 0)', false],
    ['dyn([]).exists_one(x, x > 0)', false],
    ['size(dyn([]).map(x, x * 2))', 0],
    ['size(dyn([]).filter(x, x > 0))', 0],
    ['input.items.all(x, x > 0)', true],
    ['input.items.exists(x, x > 0)', false],
  ])('%s is %j', (source, expected) => {
    expect(compileExpression(source).evaluate({ result: null, input: { items: [] }, steps: {} })).toBe(
      expected,
    );
  });
});
