/**
 * `duration()` and `timestamp()` of a string literal fail or succeed whatever the data: a literal
 * they cannot read (`duration('300')`, the unit left out; `timestamp('2020-13-01')`) is known
 * when the workflow is defined. It was accepted, and every evaluation that reached it failed with
 * EXPRESSION_ERROR.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { ExpressionError } from '../../../src/errors.js';
import { refusal } from './expression-probes.js';

describe('duration() or timestamp() of a literal they cannot read', () => {
  it.each([
    [
      "timestamp(input.at) - timestamp(input.since) > duration('300')",
      "duration('300')",
      "Invalid duration string: '300' (write numbers with a unit each: '90s', '1h30m', '1.5h', '250ms')",
    ],
    [
      "input.ok || timestamp(input.at) > timestamp('2020-13-01T00:00:00Z')",
      "timestamp('2020-13-01T00:00:00Z')",
      "timestamp() of '2020-13-01T00:00:00Z': there is no month 13",
    ],
  ])('%s is refused in a new definition, naming the call and the reason', (source, call, reason) => {
    const problem = compileExpression(source, 'boolean').newDefinitionProblem;
    expect(problem).toBe(`Invalid expression '${source}': ${call} always fails (${reason})`);
    expect(refusal(source)?.issues).toEqual([{ path: 'steps[0].condition', message: problem }]);
  });

  it('leaves readable literals and values read at run time alone', () => {
    for (const source of [
      "duration('1h30m') > duration('90s')",
      "timestamp('2020-01-01T00:00:00Z') < timestamp(input.at)",
      'duration(input.d) > duration(string(input.n) + "s")',
    ]) {
      expect(compileExpression(source).newDefinitionProblem).toBeNull();
    }
  });

  it('still compiles in a stored version, which fails at run time as it did', () => {
    const expr = compileExpression("duration('300')");
    expect(() => expr.evaluate({ result: null, input: {}, steps: {} })).toThrow(ExpressionError);
  });
});
