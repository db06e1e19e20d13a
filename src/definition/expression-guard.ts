/**
 * Static checks on a parsed CEL syntax tree that keep evaluation cheap: comprehension
 * macros may nest only {@link MAX_COMPREHENSION_NESTING} deep, and `matches` only takes a
 * literal pattern without the shapes that backtrack exponentially. The library runs
 * `matches` with a JavaScript `RegExp`, so `'aaaa…!'.matches('^(a+)+$')` took 14 s on 30
 * characters here; a pattern taken from run-time data could do that on purpose.
 * @module
 */
import { echo } from '../echo.js';
import { COMPREHENSIONS, isNode } from './cel-ast.js';

/** How deep comprehension macros (`all`, `exists`, `exists_one`, `map`, `filter`) may nest. */
export const MAX_COMPREHENSION_NESTING = 2;

/** Longest regular expression `matches` accepts. */
export const MAX_PATTERN_LENGTH = 256;

/**
 * Walks a cel-js AST and returns the first problem found, or null when the expression is
 * within the budget.
 */
export function findCostProblem(ast: unknown): string | null {
  let problem: string | null = null;
  const visit = (value: unknown, nesting: number): void => {
    if (problem !== null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, nesting);
      return;
    }
    if (!isNode(value)) return;
    if (value.op === 'call' || value.op === 'rcall') {
      const args = value.args as unknown[];
      const name = args[0];
      const receiver = value.op === 'rcall' ? args[1] : undefined;
      const callArgs = (value.op === 'rcall' ? args[2] : args[1]) as unknown[];
      if (name === 'matches') {
        problem = checkPatternArgument(value.op === 'rcall' ? callArgs[0] : callArgs[1]);
        if (problem !== null) return;
      }
      const loops = value.op === 'rcall' && typeof name === 'string' && COMPREHENSIONS.has(name);
      if (loops && nesting >= MAX_COMPREHENSION_NESTING) {
        problem = `comprehensions may nest at most ${MAX_COMPREHENSION_NESTING} deep`;
        return;
      }
      visit(receiver, nesting);
      visit(callArgs, loops ? nesting + 1 : nesting);
      return;
    }
    visit(value.args, nesting);
  };
  visit(ast, 0);
  return problem;
}

function checkPatternArgument(node: unknown): string | null {
  if (!isNode(node) || node.op !== 'value' || typeof node.args !== 'string') {
    return 'matches() needs a string literal pattern, not a value computed at run time';
  }
  const problem = unsafePatternReason(node.args);
  return problem === null ? null : `matches() pattern ${echo(node.args)} ${problem}`;
}

interface Group {
  /** The group holds a quantifier or an alternation. */
  ambiguous: boolean;
}

/**
 * Why a regular expression may backtrack exponentially, or null. Conservative: refuses
 * backreferences and any repeated group that holds a quantifier or an alternation
 * (`(a+)+`, `(a|aa)*`); `[ab]+` is the usual rewrite of `(a|b)+`.
 */
export function unsafePatternReason(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  const stack: Group[] = [{ ambiguous: false }];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    const top = stack[stack.length - 1]!;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return 'uses a backreference';
      i += 2;
    } else if (ch === '[') {
      i = skipClass(pattern, i + 1);
    } else if (ch === '(') {
      stack.push({ ambiguous: false });
      i = skipGroupPrefix(pattern, i + 1);
    } else if (ch === ')') {
      const group = stack.length > 1 ? stack.pop()! : top;
      const parent = stack[stack.length - 1]!;
      i += 1;
      const repeated = repeatsUnbounded(pattern, i);
      if (repeated && group.ambiguous) {
        return 'repeats a group that holds a quantifier or an alternation (catastrophic backtracking)';
      }
      if (group.ambiguous || repeated) parent.ambiguous = true;
    } else {
      if (ch === '|' || ch === '*' || ch === '+' || ch === '?' || ch === '{') top.ambiguous = true;
      i += 1;
    }
  }
  return null;
}

/** Index after a group's `?:`, `?=`, `?!`, `?<=`, `?<!` or `?<name>` prefix, if any. */
function skipGroupPrefix(pattern: string, i: number): number {
  if (pattern[i] !== '?') return i;
  const next = pattern[i + 1];
  if (next === '<' && pattern[i + 2] !== '=' && pattern[i + 2] !== '!') {
    const end = pattern.indexOf('>', i);
    return end === -1 ? pattern.length : end + 1;
  }
  return next === '<' ? i + 3 : i + 2;
}

/** Index after a character class that starts at `start` (just after `[`). */
function skipClass(pattern: string, start: number): number {
  let i = start;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Whether a quantifier that can repeat more than once starts at `i`. */
function repeatsUnbounded(pattern: string, i: number): boolean {
  const ch = pattern[i];
  if (ch === '*' || ch === '+') return true;
  if (ch !== '{') return false;
  const match = /^\{(\d*)(,?)(\d*)\}/.exec(pattern.slice(i));
  if (!match) return false;
  const [, min, comma, max] = match;
  if (comma === '') return Number(min) > 1;
  return max === '' || Number(max) > 1;
}
