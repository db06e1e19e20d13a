/**
 * A list read by an index it does not take, or past its end, fails naming what is wrong with the
 * index. The library said `No such key: 1` for `items[1u]` and `items['1']`, and `index out of
 * bounds, index 1.5 >= size 3` for `items[1.5]`.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import type { ExpressionScope } from '../../../src/definition/types.js';

const input = { items: [10, 20, 30], one: [7], map: { k: 1 }, nested: [[1, 2]] };
const scope: ExpressionScope = { result: null, input, steps: {} };
const evaluate = (source: string) => compileExpression(source).evaluate(scope);

describe('a list read by an index', () => {
  it.each([
    ['input.items[1]', 20],
    ['input.items[1.0]', 20],
    ['input.items[size(input.items) - 1]', 30],
    ['input.nested[0][1]', 2],
    ['input.map["k"]', 1],
  ])('%s reads the item', (source, value) => {
    expect(evaluate(source)).toEqual(value);
  });

  it.each([
    ['input.items[1u]', 'a list is indexed by an int, got the uint 1u'],
    ["input.items['1']", 'a list is indexed by an int, got the string "1"'],
    ['input.items[1.5]', 'a list is indexed by a whole number, got 1.5'],
    ['input.items[true]', 'a list is indexed by an int, got true'],
    ['input.items[3]', 'index 3 is past the end of a list of 3 items'],
    ['input.one[1]', 'index 1 is past the end of a list of 1 item'],
    ['input.items[-1]', 'index -1 is below 0'],
    ['input.nested[0][5]', 'index 5 is past the end of a list of 2 items'],
  ])('%s fails saying why', (source, message) => {
    expect(() => evaluate(source)).toThrow(message);
  });

  it('leaves the failures of maps and of the index itself as they were', () => {
    expect(() => evaluate("input.map['zz']")).toThrow('No such key: zz');
    expect(() => evaluate('input.items[1 / 0]')).toThrow('division by zero');
  });
});
