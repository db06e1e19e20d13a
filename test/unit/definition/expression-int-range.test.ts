/**
 * CEL's `int` is a signed 64-bit integer. The expression library keeps ints as BigInt and checks
 * `+`, `-` and `*` of two ints, but not `int()` of a double (`int(1e300)` gave 10^300, so
 * `int(input.n) > 0` was true for any huge `n`), nor `-` of the least int or its `/ -1` or `% -1`, nor `uint()` of a
 * double between -1 and 0, nor an int
 * literal past the range (`9223372036854775808`): each now fails with an integer overflow, and one
 * that always fails (a literal) is refused when the workflow is defined.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { failureMessage, refusal } from './expression-probes.js';

const scope = { result: { big: 1e300, over: 9.3e18, under: 9.2e18, neg: -3 }, input: {}, steps: {} };

function failure(source: string): string {
  return failureMessage(source, () => compileExpression(source).evaluate(scope));
}

describe('ints stay within 64 bits', () => {
  it('fails int() of a double outside the int range, at run time', () => {
    expect(failure('int(result.big) > 0')).toBe(
      "Expression 'int(result.big) > 0' failed: int() type error: integer overflow: " +
        '1e+300 is outside the 64-bit int range (-9223372036854775808 to 9223372036854775807)',
    );
    expect(failure('int(result.over)')).toContain('integer overflow: 9300000000000000000 is outside');
    expect(failure('int(-result.big) < 0')).toContain('integer overflow: -1e+300 is outside');
    expect(compileExpression('int(result.under)').evaluate(scope)).toBe(9.2e18);
    expect(compileExpression('int(result.neg)').evaluate(scope)).toBe(-3);
  });

  it('fails negating the least int and dividing it by -1', () => {
    expect(failure('-(-9223372036854775807 - 1)')).toContain('integer overflow: 9223372036854775808');
    expect(failure('(-9223372036854775807 - 1) / -1')).toContain('integer overflow: 9223372036854775808');
    expect(compileExpression('-(-9223372036854775807) == 9223372036854775807').evaluate(scope)).toBe(true);
  });

  it('fails the least int % -1 (0 before; its quotient overflows, so CEL fails)', () => {
    expect(failure('(-9223372036854775807 - 1) % -1 == 0')).toBe(
      "Expression '(-9223372036854775807 - 1) % -1 == 0' failed: integer overflow: -9223372036854775808 % -1",
    );
    expect(compileExpression('-9223372036854775807 % -1').evaluate(scope)).toBe(0);
    expect(compileExpression('-7 % 2').evaluate(scope)).toBe(-1);
    expect(compileExpression('int(result.neg) % -1').evaluate(scope)).toBe(0);
  });

  it('fails uint() of a double between -1 and 0 (0 before), as CEL does', () => {
    const source = 'uint(result.neg / 4.0) == 0u';
    expect(failure(source)).toBe(
      `Expression '${source}' failed: uint() type error: unsigned integer overflow: -0.75 is below 0`,
    );
    expect(compileExpression('uint(-0.0) == 0u').evaluate(scope)).toBe(true);
    expect(compileExpression('uint(0.5) == 0u').evaluate(scope)).toBe(true);
  });

  it('fails an int literal past the range in a stored version, keeps the least int', () => {
    expect(failure('9223372036854775808 > 0')).toContain('the int literal 9223372036854775808 is outside');
    expect(compileExpression('-9223372036854775808').evaluate(scope)).toBe(-(2 ** 63));
  });

  it.each([
    ['int(1e300) > 0', 'int(1e+300) always fails (int() type error: integer overflow'],
    ['int(-1e300) < 0', 'int(-1e+300) always fails (int() type error: integer overflow'],
    [
      "int('abc') == 1",
      "int('abc') always fails (int() of 'abc': only decimal digits are read, with an optional sign)",
    ],
    ['uint(-1) == 1u', 'uint(-1) always fails (uint() type error: cannot convert to uint)'],
    [
      'uint(-2.5) == 1u',
      'uint(-2.5) always fails (uint() type error: unsigned integer overflow: -2.5 is below 0)',
    ],
    [
      'uint(-0.5) == 0u',
      'uint(-0.5) always fails (uint() type error: unsigned integer overflow: -0.5 is below 0)',
    ],
    [
      '9223372036854775808 > 0',
      'the int literal 9223372036854775808 is outside the 64-bit int range (-9223372036854775808 to 9223372036854775807)',
    ],
  ])('refuses %s in a new definition, naming the path and the reason', (source, reason) => {
    const issue = refusal(source)?.issues[0];
    expect(issue?.path).toBe('steps[0].condition');
    expect(issue?.message).toContain(`Invalid expression '${source}': ${reason}`);
  });

  it('leaves literals within the range alone', () => {
    for (const source of [
      'int(9.2e18) > 0',
      "int('-9223372036854775808') < 0",
      '-9223372036854775808 < 0',
      'uint(2.5) == 2u',
      'int(result.big) > 0',
    ]) {
      expect(refusal(source)).toBeNull();
    }
  });
});
