/**
 * `matches()` patterns that are not valid regular expressions. The pattern is a literal (see
 * `expression-guard.ts`), so one the library cannot compile (`'['`, or RE2's inline flags
 * `(?i)`, which JavaScript's `RegExp` lacks) is known when the workflow is defined: accepted, it
 * failed every evaluation that reached it with EXPRESSION_ERROR. A new definition with one is
 * refused (a version stored before still runs as it did).
 * @module
 */
import { echo } from '../echo.js';
import { errorMessage } from '../errors.js';
import { type CelNode, firstNodeProblem, isNode } from './cel-ast.js';

/** Why `pattern` does not compile as the library compiles it (`new RegExp(pattern)`), or null. */
function patternError(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch (error) {
    // "Invalid regular expression: /[/: Unterminated character class": the reason after the pattern.
    const message = errorMessage(error);
    const reason = message.slice(message.lastIndexOf(': ') + 2) || message;
    return `matches() pattern ${echo(pattern)} is not a valid regular expression (${reason})`;
  }
}

/** The first literal `matches()` pattern in `ast` that does not compile, as a problem; or null. */
export function findInvalidPatternProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, invalidPatternProblem);
}

/** The problem of a `matches()` at `node` with a literal pattern that does not compile, or null. */
function invalidPatternProblem(node: CelNode): string | null {
  if ((node.op === 'call' || node.op === 'rcall') && Array.isArray(node.args) && node.args[0] === 'matches') {
    const callArgs = node.op === 'rcall' ? node.args[2] : node.args[1];
    const pattern: unknown = Array.isArray(callArgs) ? callArgs[node.op === 'rcall' ? 0 : 1] : undefined;
    if (isNode(pattern) && pattern.op === 'value' && typeof pattern.args === 'string') {
      const problem = patternError(pattern.args);
      if (problem !== null) return problem;
    }
  }
  return null;
}
