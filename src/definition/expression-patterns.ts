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
  } catch (error) {
    // "Invalid regular expression: /[/: Unterminated character class": the reason after the pattern.
    const message = errorMessage(error);
    const reason = message.slice(message.lastIndexOf(': ') + 2) || message;
    return `matches() pattern ${echo(pattern)} is not a valid regular expression (${reason})`;
  }
  const other = re2OnlySyntax(pattern);
  return other === null
    ? null
    : `matches() pattern ${echo(pattern)} uses ${other}, which RE2 (CEL's syntax) reads but JavaScript reads as something else`;
}

/**
 * RE2 syntax that JavaScript's `RegExp` takes without an error but reads otherwise, so that the
 * pattern silently matched something else: `\pL` (RE2's one-letter class; JavaScript reads `p`,
 * `L`), `\A` and `\z` (read as the letters), `\Q…\E` (read as `Q` and `E`), `[[:alpha:]]` (a
 * POSIX class; read as the characters `[:alph`), a `]` first in a class (RE2: one of its
 * characters; JavaScript: the end of an empty class). What it is and what to write instead, or null.
 */
function re2OnlySyntax(pattern: string): string | null {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if ((next === 'p' || next === 'P') && pattern[i + 2] !== '{') {
        return `\\${next}${pattern[i + 2] ?? ''} (write \\${next}{${pattern[i + 2] ?? 'L'}})`;
      }
      if (next === 'A') return '\\A (write ^)';
      if (next === 'z') return '\\z (write $)';
      if (next === 'Q' || next === 'E') return `\\${next} (escape each character instead)`;
      i++;
    } else if (c === '[' && !inClass) {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      // RE2 takes a ] first in a class as one of its characters; JavaScript ends the class there
      // (`[]` matches nothing, `[^]` anything).
      if (pattern[i + 1] === ']') return 'a ] first in a character class (write \\] there)';
    } else if (c === '[' && inClass && /^\[:\^?[a-z]+:\]/.test(pattern.slice(i))) {
      return `the POSIX class ${pattern.slice(i, pattern.indexOf(':]', i) + 2)} (write its characters, such as [a-zA-Z] for [:alpha:])`;
    } else if (c === ']' && inClass) {
      inClass = false;
    }
  }
  return null;
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
