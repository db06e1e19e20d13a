/**
 * `duration()` and `timestamp()` of a string literal: they read the literal the same way whatever
 * the data, so one they cannot read (`duration('300')`, the unit left out) is known when the
 * workflow is defined. Accepted, it failed every evaluation that reached it with EXPRESSION_ERROR.
 * A new definition with one is refused (a version stored before still runs as it did).
 * @module
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { echo } from '../echo.js';
import { errorMessage } from '../errors.js';
import { type CelNode, firstNodeProblem, isNode } from './cel-ast.js';

const env = new Environment().registerVariable('s', 'string');

/** Each conversion, as the library runs it, of a string variable `s`. */
const CONVERSIONS: ReadonlyMap<string, ParseResult> = new Map([
  ['duration', env.parse('duration(s)')],
  ['timestamp', env.parse('timestamp(s)')],
]);

/** Why `name(literal)` fails, or null when it reads the literal. */
function conversionError(name: string, conversion: ParseResult, literal: string): string | null {
  try {
    conversion({ s: literal });
    return null;
  } catch (error) {
    const reason = errorMessage(error).split('\n')[0];
    return `${name}(${echo(literal)}) always fails (${reason})`;
  }
}

/** The first `duration()` or `timestamp()` in `ast` of a literal it cannot read, as a problem; or null. */
export function findLiteralConversionProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, literalConversionProblem);
}

/** The problem of a `duration()` or `timestamp()` at `node` of a literal it cannot read, or null. */
function literalConversionProblem(node: CelNode): string | null {
  if (node.op === 'call' && Array.isArray(node.args) && typeof node.args[0] === 'string') {
    const [name, callArgs] = node.args as [string, unknown];
    const conversion = CONVERSIONS.get(name);
    const literal: unknown = Array.isArray(callArgs) && callArgs.length === 1 ? callArgs[0] : undefined;
    if (conversion && isNode(literal) && literal.op === 'value' && typeof literal.args === 'string') {
      const problem = conversionError(name, conversion, literal.args);
      if (problem !== null) return problem;
    }
  }
  return null;
}
