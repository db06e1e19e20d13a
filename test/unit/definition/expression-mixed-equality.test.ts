/**
 * `1 == 1.0` was refused when defined ("no such overload: int == double"), though a number read
 * from the data compared with either; CEL compares numbers of different types by value, exactly.
 * So was `1u == 1` ("no such overload: uint == int").
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';

function run(source: string): unknown {
  return compileExpression(source, 'boolean').evaluate({ result: null, input: { n: 1 }, steps: {} });
}

describe('int, uint and double compared for equality', () => {
  it.each([
    ['1 == 1.0', true],
    ['1.0 == 1', true],
    ['1 != 1.0', false],
    ['2 == 1.0', false],
    ['1 == 1.5', false],
    ['1u == 1.0', true],
    ['1u == 1', true],
    ['1 == 1u', true],
    ['1u != 2', true],
    ['2 == 1u', false],
    ['uint(input.n) == 1', true],
    ['18446744073709551615u == -1', false],
    ['1.0 != 1u', false],
    ['int(input.n) == 1.0', true],
    ["1 == double('NaN')", false],
    // 2^53 + 1 is no double: the nearest one is not equal to it.
    ['9007199254740993 == 9007199254740992.0', false],
    ['9007199254740992 == 9007199254740992.0', true],
  ])('%s is %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});
