/**
 * `matches()` takes a literal pattern, so one that is not a valid regular expression (`'['`, or
 * RE2's inline flags `(?i)`, which JavaScript's `RegExp` lacks) is known when the workflow is
 * defined. It was accepted, and every evaluation that reached it failed with EXPRESSION_ERROR.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { ExpressionError } from '../../../src/errors.js';
import { refusal } from './expression-probes.js';

describe('a matches() pattern that is not a valid regular expression', () => {
  it.each([
    ["input.e.matches('[')", '['],
    ["input.e.matches('(?i)^a')", '(?i)^a'],
    ["string(input.e).matches('a)')", 'a)'],
    ["input.ok || input.e.matches('*a')", '*a'],
  ])('%s is refused in a new definition, naming the pattern and the path', (source, pattern) => {
    const problem = compileExpression(source, 'boolean').newDefinitionProblem;
    expect(problem).toMatch(
      new RegExp(
        `^Invalid expression '.*': matches\\(\\) pattern '${pattern.replace(/[()[\]*?^]/g, '\\$&')}' is not a valid regular expression \\(.+\\)$`,
      ),
    );
    expect(refusal(source)?.issues).toEqual([{ path: 'steps[0].condition', message: problem }]);
  });

  // RE2 syntax JavaScript takes without an error but reads otherwise: the pattern silently
  // matched something else ('a'.matches('\\pL') was false).
  it.each([
    ["input.e.matches('\\\\pL')", '\\pL (write \\p{L})'],
    ["input.e.matches('^\\\\PN+$')", '\\PN (write \\P{N})'],
    ["input.e.matches('\\\\Aa\\\\z')", '\\A (write ^)'],
    ["input.e.matches('a\\\\z')", '\\z (write $)'],
    ["input.e.matches('\\\\Q.\\\\E')", '\\Q (escape each character instead)'],
    [
      "input.e.matches('[[:alpha:]]+')",
      'the POSIX class [:alpha:] (write its characters, such as [a-zA-Z] for [:alpha:])',
    ],
    ["input.e.matches('[]a]')", 'a ] first in a character class (write \\] there)'],
    ["input.e.matches('[^]a]')", 'a ] first in a character class (write \\] there)'],
  ])('%s is refused in a new definition, saying what to write', (source, what) => {
    const problem = compileExpression(source, 'boolean').newDefinitionProblem;
    expect(problem).toContain(
      `uses ${what}, which RE2 (CEL's syntax) reads but JavaScript reads as something else`,
    );
  });

  it('leaves valid patterns alone', () => {
    for (const source of [
      "input.e.matches('^[^@]+@[^@]+\\\\.[a-z]+$')",
      "input.e.matches('^\\\\d{3}$')",
      "input.e.matches('\\\\p{L}+')",
      // An escaped backslash before the letters, and a class holding [ and :.
      "input.e.matches('\\\\\\\\pL\\\\\\\\A')",
      "input.e.matches('[[:]+')",
    ]) {
      expect(compileExpression(source).newDefinitionProblem, source).toBeNull();
    }
  });

  it('still compiles in a stored version, which fails at run time as it did', () => {
    const expr = compileExpression("input.e.matches('[')");
    expect(() => expr.evaluate({ result: null, input: { e: 'x' }, steps: {} })).toThrow(ExpressionError);
  });
});
