/**
 * The canonical text of an expression leaves out the white space that separates nothing, and
 * keeps what is inside string literals (each CEL form), quoted names and comments, and the space
 * that keeps two tokens apart. Two expressions the library reads as other tokens never get the
 * same canonical text.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExpression } from '../../../src/definition/expression-canonical.js';
import { validateDefinition } from '../../../src/definition/validate.js';

/** Whether the definitions' checks accept `source` as a step's input. */
function accepted(source: string): boolean {
  try {
    validateDefinition('w', [{ name: 'a', input: source }]);
    return true;
  } catch {
    return false;
  }
}

describe('canonicalExpression', () => {
  it.each([
    ['input.x > 1', 'input.x>1'],
    ['  input.x\t>\n1 ', 'input.x>1'],
    ["{ 'text' : steps.a.output.text }", "{'text':steps.a.output.text}"],
    ['size( input.items ) == 0', 'size(input.items)==0'],
    ['input . a', 'input.a'],
    ['1 - -1 == 2', '1--1==2'],
    ["'a' in input.m", "'a'in input.m"],
    ['input.x\r\n  && input.y', 'input.x&&input.y'],
  ])('leaves out white space between tokens: %j', (source, canonical) => {
    expect(canonicalExpression(source)).toBe(canonical);
  });

  it.each([
    ["input.s == 'a  b'", "input.s=='a  b'"],
    ['input.s == "a  b"', 'input.s=="a  b"'],
    ["input.s == 'it\\'s  '", "input.s=='it\\'s  '"],
    ['input.s == "say \\"hi  \\" "', 'input.s=="say \\"hi  \\" "'],
    ["input.s == '''a '  b\n c'''", "input.s=='''a '  b\n c'''"],
    ['input.s == """a "  b"""', 'input.s=="""a "  b"""'],
    ["input.s == r'a  \\d'", "input.s==r'a  \\d'"],
    ["input.b == b'a  b'", "input.b==b'a  b'"],
    ["input.s == R'''x  y'''", "input.s==R'''x  y'''"],
  ])('keeps a string literal as written: %j', (source, canonical) => {
    expect(canonicalExpression(source)).toBe(canonical);
  });

  it.each([
    ['input.a in input.b', 'input.a in input.b'],
    ['input.n + 1 .5', 'input.n+1 .5'],
    ['input.a < = 1', 'input.a< =1'],
    ['input.a = = 1', 'input.a= =1'],
    ['input.a & & input.b', 'input.a& &input.b'],
    ['1 / / 2', '1/ /2'],
    ["r 'x'", "r 'x'"],
    ["'' ''", "'' ''"],
    ['1e -5', '1e -5'],
    ['1 u', '1 u'],
  ])('keeps a space where its tokens would join: %j', (source, canonical) => {
    expect(canonicalExpression(source)).toBe(canonical);
  });

  it('keeps a comment and the line break that ends it', () => {
    expect(canonicalExpression("input.a // it's  the a \n  + 1")).toBe("input.a// it's  the a\n+1");
    expect(canonicalExpression('input.a  // last')).toBe('input.a// last');
  });

  it('ends a raw string where the library does (a backslash escapes its quote there too)', () => {
    expect(accepted("r'a\\'")).toBe(false);
    expect(accepted("r'a\\'' == 'x'")).toBe(true);
    expect(canonicalExpression("r'a\\' == ' == 'x'")).toBe("r'a\\' == '=='x'");
  });

  it('gives two accepted expressions that the library reads as other tokens other texts', () => {
    const pairs: [string, string][] = [
      ["input.s == 'a b'", "input.s == 'ab'"],
      ["r'a\\' == ' == 'x'", "r'a\\'=='==   'x'"],
      ['input.n // n\n + 1', 'input.n // n + 1'],
      ["'''a''' == 'a'", "'''a'' ' == 'a'''"],
    ];
    for (const [a, b] of pairs) {
      expect([accepted(a), accepted(b)], `${a} | ${b}`).toEqual([true, true]);
      expect(canonicalExpression(a), `${a} | ${b}`).not.toBe(canonicalExpression(b));
    }
  });
});
