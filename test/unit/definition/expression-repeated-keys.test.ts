/**
 * A map literal gives each JSON key once. The expression library keeps the last value of a key
 * given twice (`{'a': 1, 'a': 2}` is `{a: 2}`; CEL makes that an error), and of keys of different
 * types that JSON writes alike (`1` and `'1'`, `true` and `'true'`): the first value was dropped
 * without a word. A new definition with such a literal is refused.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { refusal } from './expression-probes.js';

describe('a map literal with a key twice', () => {
  it.each([
    ["{'a': 1, 'a': 2}", "'a'"],
    ["{'x': {'a': 1, 'b': 2, 'a': 3}}", "'a'"],
    ["{1: 'x', '1': 'y'}", "'1'"],
    ["{1: 'x', 1u: 'y'}", "'1'"],
    ["{1: 'x', 1.0: 'y'}", "'1'"],
    ["{true: 1, 'true': 2}", "'true'"],
  ])('%s is refused in a new definition, naming the key', (source, key) => {
    const problem = compileExpression(source).newDefinitionProblem;
    expect(problem).toBe(
      `Invalid expression '${source}': a map literal has the key ${key} twice (a map keeps one value per key)`,
    );
    expect(refusal(source, 'input')?.issues).toEqual([{ path: 'steps[0].input', message: problem }]);
  });

  it('is not found where keys differ or are computed', () => {
    for (const source of ["{'a': 1, 'b': 2, 'c': {'a': 3}}", "{input.k: 1, 'b': 2}", "{'1': 1, 2: 2}"]) {
      expect(compileExpression(source).newDefinitionProblem).toBeNull();
    }
  });
});

/**
 * A literal key of a type CEL's maps cannot have (a double, null, a list) was built with its text
 * (`{1.5: 'a'}` was `{"1.5": "a"}`); a new definition with one is refused.
 */
describe('a map literal with a key CEL does not allow', () => {
  it.each([
    ["{1.5: 'a'}", 'the double 1.5'],
    ["{'b': 1, null: 1}", 'null'],
    ["{[1]: 'a'}", 'a list'],
  ])('%s is refused in a new definition, naming the key', (source, kind) => {
    expect(compileExpression(source).newDefinitionProblem).toBe(
      `Invalid expression '${source}': a map literal's key cannot be ${kind} (a key is an int, a uint, a bool or a string, as in CEL)`,
    );
  });

  it('leaves int, uint, bool, string and computed keys alone', () => {
    expect(
      compileExpression("{1: 'a', 2u: 'b', true: 'c', 'd': 1, input.k: 2}").newDefinitionProblem,
    ).toBeNull();
  });
});
