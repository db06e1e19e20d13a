/**
 * An int literal on the left of a JSON number (a double): `1 + input.errors + 1`. The `int op
 * double` operators were typed as giving an int while they gave a double, so the next operator
 * picked the int overload and mixed a BigInt with a number (`Cannot mix BigInt and other types`),
 * and `int()` of such a result kept its fraction (`int(1 + 0.5)` was 1.5). They give a double,
 * as `double op int` always did.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import type { ExpressionScope } from '../../../src/definition/types.js';

const input = { errors: 5, price: 1.25, ratio: 0.123, n: 5, l: [1, 2, 3] };
const scope: ExpressionScope = { result: null, input, steps: {} };
const evaluate = (source: string) => compileExpression(source).evaluate(scope);

describe('int on the left of a double', () => {
  it.each([
    ['1 + input.errors + 1', 7],
    ['2 * input.price * 3', 7.5],
    ['(2 * input.n) / 4', 2.5],
    ['10 / 4.0 * 2', 5],
    ['(7 - 0.5) / 2', 3.25],
    ['(5 % 2.0) + 1', 2],
    ['int(100 * input.ratio)', 12],
    ['int(1 + 0.5)', 1],
    ['int(7 - 0.5)', 6],
    ['int(2 * input.price)', 2],
    ['type(1 + 0.5) == double', true],
    ['cel.bind(x, 1 + 0.5, x / 2)', 0.75],
    ['[1, 2].map(x, x * 0.5)[0] / 2', 0.25],
  ])('%s is %j', (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });

  it('keeps the int range check of int()', () => {
    expect(() => evaluate('int(9223372036854775807 + 0.0)')).toThrow(/range|overflow/i);
  });
});
