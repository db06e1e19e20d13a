/**
 * `optional.of(1).value()` passed the type check (the library declares the `optional` namespace
 * though optional values are not enabled) and failed every run with `Unknown variable: optional`.
 * A new definition with it is refused when defined, naming what to write instead.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { refusal } from './expression-probes.js';

describe('calls into the optional namespace', () => {
  it.each([
    ['optional.of(1).value() == 1', 'of'],
    ['optional.none().hasValue()', 'none'],
  ])('%s is refused in a new definition', (source, name) => {
    const problem = compileExpression(source, 'boolean').newDefinitionProblem;
    expect(problem).toContain(`optional.${name}() is not supported: optional values are not enabled`);
    expect(refusal(source)?.issues).toEqual([{ path: 'steps[0].condition', message: problem }]);
  });

  it('leaves a variable named optional alone (a comprehension variable)', () => {
    const expr = compileExpression('[1, 2].map(optional, optional + 1)');
    expect(expr.newDefinitionProblem).toBeNull();
    expect(expr.evaluate({ result: null, input: {}, steps: {} })).toEqual([2, 3]);
  });
});
