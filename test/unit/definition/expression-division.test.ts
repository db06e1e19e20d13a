/**
 * A division by zero fails the evaluation. An int one always did (CEL), but JSON numbers are
 * doubles, and a double division by zero gave Infinity or NaN: as an input it was refused as not
 * JSON, but a condition decided on it without a word (`steps.count.output.errors / input.total >
 * 0.1` was true for a total of 0, and `0 / 0` compared false with everything).
 */
import { describe, expect, it } from 'vitest';
import { compileExpression, evaluateCondition } from '../../../src/definition/expression.js';
import { failureMessage } from './expression-probes.js';

const scope = { result: { errors: 3, none: 0, total: 0, big: 1e308 }, input: {}, steps: {} };

function failure(source: string): string {
  return failureMessage(source, () => evaluateCondition(compileExpression(source, 'boolean'), scope));
}

describe('division by zero', () => {
  it.each([
    'result.errors / result.total > 0.1',
    'result.none / result.total < 1.0',
    'result.errors / 0 > 1',
    '1 / result.total > 1',
    '-result.errors / 0.0 < 1.0',
  ])('fails %s naming the expression', (source) => {
    expect(failure(source)).toBe(`Expression '${source}' failed: division by zero`);
  });

  it('fails a quotient past the double range, saying so', () => {
    expect(failure('result.big / 0.5 > 1.0')).toBe(
      "Expression 'result.big / 0.5 > 1.0' failed: the quotient is Infinity, past the double range",
    );
  });

  it('divides as before otherwise', () => {
    const ratio = compileExpression('result.errors / 2');
    expect(ratio.evaluate(scope)).toBe(1.5);
    expect(compileExpression('7 / 2').evaluate(scope)).toBe(3);
    expect(
      evaluateCondition(compileExpression('result.total == 0 || result.errors / result.total > 0.1'), scope),
    ).toBe(true);
  });
});
