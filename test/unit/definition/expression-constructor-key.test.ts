/**
 * `constructor` is an ordinary JSON key (an API's record may well have one), and a step may be
 * named `constructor`, which makes it a key of `steps`. The expression library types an object by
 * its `constructor` property, so such an object failed every expression that read it, or read a
 * value beside it ("Unsupported type: object"), and a step named `constructor` failed every
 * expression that read `steps`. Expressions read such objects as the maps they are.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression, evaluateCondition } from '../../../src/definition/expression.js';
import { MAX_EVALUATION_READS } from '../../../src/definition/read-budget.js';
import type { ExpressionScope } from '../../../src/definition/types.js';
import { validateDefinition } from '../../../src/definition/validate.js';
import type { ValidationError } from '../../../src/errors.js';

const record = { constructor: { name: 'Ferrari' }, driver: 'Leclerc', points: 12 };
const scope: ExpressionScope = {
  result: record,
  input: { race: { constructor: 'x', round: 3 }, list: [record, { constructor: null }] },
  steps: { constructor: { output: { team: 'red' } }, fetch: { output: record } },
};
const evaluate = (source: string) => compileExpression(source).evaluate(scope);

describe('expressions over objects with a `constructor` key', () => {
  it('read the key, the values beside it and the object whole', () => {
    expect(evaluate('result.constructor.name')).toBe('Ferrari');
    expect(evaluate("result['constructor']")).toEqual({ name: 'Ferrari' });
    expect(evaluate('result.driver')).toBe('Leclerc');
    expect(evaluate('input.race.round')).toBe(3);
    expect(evaluate('input.list[1].constructor')).toBeNull();
    const whole = evaluate('result') as Record<string, unknown>;
    expect(whole).toEqual(record);
    expect(Object.getPrototypeOf(whole)).toBe(Object.prototype);
    expect(Object.keys(whole)).toEqual(['constructor', 'driver', 'points']);
  });

  it('read steps when a step is named constructor', () => {
    expect(evaluate('steps.constructor.output.team')).toBe('red');
    expect(evaluate('steps.fetch.output.points')).toBe(12);
    expect(evaluate("'constructor' in steps && 'fetch' in steps && !('other' in steps)")).toBe(true);
  });

  it('test, count, compare, loop over and rebuild them like any map', () => {
    const condition = (source: string) => evaluateCondition(compileExpression(source, 'boolean'), scope);
    expect(condition('has(result.constructor) && !has(result.team)')).toBe(true);
    expect(condition("'constructor' in result && !('toString' in result)")).toBe(true);
    expect(evaluate('size(result)')).toBe(3);
    expect(condition('result == steps.fetch.output')).toBe(true);
    expect(condition('result != input.race')).toBe(true);
    expect(evaluate('result.map(k, k)')).toEqual(['constructor', 'driver', 'points']);
    expect(evaluate("input.list.filter(r, r.constructor != null).map(r, r.driver + '!')")).toEqual([
      'Leclerc!',
    ]);
    expect(evaluate("{'team': result.constructor, 'all': input.list}")).toEqual({
      team: { name: 'Ferrari' },
      all: [record, { constructor: null }],
    });
  });

  it("give what `||` and `&&` give over any other map when the other side's error is absorbed", () => {
    // CEL's `||` (`&&`) is true (false) when either side is, whatever error the other gives. Read
    // as a plain object, the side that reads such an object failed too, and the other side's error
    // was what the expression failed with: 'No such key: missing' rather than true.
    const data = (key: string): ExpressionScope => ({
      result: null,
      input: { rec: { [key]: 'x', n: 5 }, num: 1 },
      steps: {},
    });
    for (const source of [
      'input.rec.n == 5 || input.missing.y == 2',
      'input.rec.n == 5 || input.num.y == 1',
      '(input.rec.n == 5 || input.missing) && true',
      '!(input.rec.n == 6 && input.missing.y == 2)',
    ]) {
      const expected = compileExpression(source).evaluate(data('other'));
      expect(expected).toBe(true);
      expect(compileExpression(source).evaluate(data('constructor'))).toBe(expected);
    }
    // An error no side absorbs is the error the expression fails with, as before.
    expect(() =>
      compileExpression('input.rec.n == 6 || input.missing.y == 2').evaluate(data('constructor')),
    ).toThrow('No such key: missing');
    expect(() => compileExpression('input.rec.n + input.missing').evaluate(data('other'))).toThrow(
      'No such key: missing',
    );
  });

  it('still stop a loop that reads too much of such data', () => {
    const big = Object.fromEntries(Array.from({ length: 1_100 }, (_, i) => [`k${i}`, i]));
    const wide: ExpressionScope = { result: { ...big, constructor: 1 }, input: null, steps: {} };
    expect(() => compileExpression('result.all(a, result.all(b, true))').evaluate(wide)).toThrow(
      `more than ${MAX_EVALUATION_READS} values`,
    );
  });
});

describe('map literals with a key the expression library drops', () => {
  it('are refused in a new definition, naming the key, rather than built without it', () => {
    for (const key of ['constructor', '__proto__', 'prototype']) {
      const source = `{'a': 1, 'b': {'${key}': result}}`;
      expect(compileExpression(source).newDefinitionProblem).toBe(
        `Invalid expression '${source}': a map literal cannot have the key '${key}' (the expression library leaves it out); return such an object from a step`,
      );
      const refusal = (() => {
        try {
          validateDefinition('w', [{ name: 'a', input: source }]);
          return null;
        } catch (error) {
          return error as ValidationError;
        }
      })();
      expect(refusal?.issues).toEqual([
        { path: 'steps[0].input', message: compileExpression(source).newDefinitionProblem },
      ]);
      // A version stored before still compiles, and runs as it did.
      expect(compileExpression(source).evaluate(scope)).toEqual({ a: 1, b: {} });
    }
    expect(compileExpression("{'name': 'constructor', 'constructors': 1}").newDefinitionProblem).toBeNull();
    expect(evaluate("{'name': 'constructor', 'constructors': 1}")).toEqual({
      name: 'constructor',
      constructors: 1,
    });
  });
});
