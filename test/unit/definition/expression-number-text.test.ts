/**
 * `int()`, `uint()` and `double()` read decimal text only, as CEL does: the library took JavaScript's
 * base prefixes (`int('0b101')` was 5, `int('0X10')` 16, `double('0x10')` 16), and `double()` of text
 * past the double range gave Infinity (`double('1e400') > 100.0` held) where CEL fails. `int('')` and
 * `uint('')` were 0 (an empty field read as a count of zero) where CEL fails.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { failureMessage, refusal } from './expression-probes.js';

function run(source: string, input: unknown = null): unknown {
  return compileExpression(source).evaluate({ result: null, input, steps: {} });
}

describe('number conversions of text', () => {
  it.each([
    ['int', '0b101'],
    ['int', '0o17'],
    ['int', '0X10'],
    ['int', '-0B1'],
    ['uint', '0b1'],
    ['uint', '0X1F'],
    ['double', '0x10'],
    ['double', '0b101'],
    ['double', '+0o7'],
  ])('%s(%j) fails', (name, text) => {
    const message = failureMessage(text, () => run(`${name}(input.text)`, { text }));
    expect(message).toContain(`${name}() of '${text}': only decimal text is read`);
  });

  it.each([
    ['int', '', 'the text is empty'],
    ['uint', '', 'the text is empty'],
    ['double', '', 'the text is empty'],
    ['int', ' ', 'the text is only white space'],
    ['uint', '\t', 'the text is only white space'],
    ['double', '  ', 'the text is only white space'],
    ['int', ' 1', 'the text has white space around the number'],
    ['uint', '1\n', 'the text has white space around the number'],
    ['double', '1.5 ', 'the text has white space around the number'],
    ['int', '1.5', 'only decimal digits are read, with an optional sign'],
    ['uint', '+1', 'only decimal digits are read, without a sign'],
    ['uint', '-0', 'only decimal digits are read, without a sign'],
  ])('%s(%j) fails: %s', (name, text, why) => {
    const message = failureMessage(text, () => run(`${name}(input.text) != ${name}(1)`, { text }));
    expect(message).toContain(`Expression '${name}(input.text) != ${name}(1)' failed: ${name}() of '`);
    expect(message).toContain(`: ${why}`);
  });

  it("refuses int('') and uint('') in a new definition, naming the step", () => {
    expect(refusal("input.n == int('')")?.message).toContain(
      "steps[0].condition: Invalid expression 'input.n == int('')': int('') always fails (int() of '': the text is empty)",
    );
    expect(refusal("input.n == uint(' 1')")?.message).toContain("uint(' 1') always fails");
  });

  it.each([
    ["int('+5')", 5],
    ["int('-0')", 0],
    ["int('007')", 7],
    ["uint('42')", 42],
    ["double('1.5')", 1.5],
    ["double('1e3')", 1000],
    ["double('.5')", 0.5],
    ["double('-0.25')", -0.25],
    ["double('0.5')", 0.5],
    ["int('0')", 0],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it.each(['1e400', '-1e400', '2e308'])('double(%j) fails: past the double range', (text) => {
    const message = failureMessage(text, () => run('double(input.text) > 100.0', { text }));
    expect(message).toContain(`double() of '${text}': the number is past the double range`);
  });

  it.each([
    ['inf', true],
    ['-Infinity', false],
    ['1.7976931348623157e308', true],
  ])('double(%j) > 100.0 is %j', (text, expected) => {
    expect(run('double(input.text) > 100.0', { text })).toBe(expected);
  });

  it('double(NaN) still names NaN', () => {
    expect(run("double('NaN') == double('NaN')")).toBe(false);
  });

  it('refuses such a literal in a new definition only', () => {
    expect(refusal("input.n == int('0x1F')")?.message).toContain(
      "int('0x1F') always fails (int() of '0x1F': only decimal text is read",
    );
    expect(refusal("input.n == double('0b1')")?.message).toContain("double('0b1') always fails");
    expect(refusal("input.n == double('abc')")?.message).toContain("double('abc') always fails");
    expect(refusal("input.n == double('1.5')")).toBeNull();
    expect(compileExpression("input.n == double('0b1')").newDefinitionProblem).not.toBeNull();
  });
});
