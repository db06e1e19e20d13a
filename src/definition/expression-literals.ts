/**
 * `duration()`, `timestamp()`, `int()`, `uint()` and `double()` of a literal: they read the literal the same way
 * whatever the data, so one they cannot read (`duration('300')`, the unit left out; `int('abc')`;
 * `int(1e300)`, past the 64-bit int range; `uint(-1)`) is known when the workflow is defined.
 * Accepted, it failed every evaluation that reached it with EXPRESSION_ERROR. A new definition
 * with one is refused (a version stored before still runs as it did).
 * @module
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { echo } from '../echo.js';
import { errorMessage } from '../errors.js';
import { type CelNode, firstNodeProblem, isNode } from './cel-ast.js';
import { guardDurationText } from './expression-duration-parse.js';
import { guardIntRange } from './expression-int-range.js';
import { guardNumberText } from './expression-number-text.js';
import { guardTimeRange } from './expression-time-range.js';
import { guardTimestampText } from './expression-timestamp-text.js';

const env = new Environment().registerVariable('v', 'dyn');

function conversion(name: string): ParseResult {
  const program = env.parse(`${name}(v)`);
  // Checked first, as `compileExpression` does: the check sets how a call handles its arguments.
  program.check();
  guardIntRange(program.ast);
  guardTimeRange(program.ast);
  guardTimestampText(program.ast);
  guardNumberText(program.ast);
  guardDurationText(program.ast);
  return program;
}

/** Each conversion, as the expressions run it, of a variable `v`, and whether it reads numbers. */
const CONVERSIONS: ReadonlyMap<string, { run: ParseResult; numbers: boolean }> = new Map([
  ['duration', { run: conversion('duration'), numbers: false }],
  ['timestamp', { run: conversion('timestamp'), numbers: false }],
  ['int', { run: conversion('int'), numbers: true }],
  ['uint', { run: conversion('uint'), numbers: true }],
  ['double', { run: conversion('double'), numbers: false }],
]);

/** Why `name(literal)` fails, or null when it reads the literal. */
function conversionError(name: string, run: ParseResult, literal: unknown, text: string): string | null {
  try {
    run({ v: literal });
    return null;
  } catch (error) {
    const reason = errorMessage(error).split('\n')[0];
    return `${name}(${text}) always fails (${reason})`;
  }
}

/** The first conversion in `ast` of a literal it cannot read, as a problem; or null. */
export function findLiteralConversionProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, literalConversionProblem);
}

/** A literal argument (a string, or a number, negated or not) and how a message shows it; or null. */
function literal(node: unknown, numbers: boolean): { value: unknown; text: string } | null {
  if (!isNode(node)) return null;
  if (node.op === 'value' && typeof node.args === 'string')
    return { value: node.args, text: echo(node.args) };
  if (!numbers) return null;
  const negated = node.op === '-_' && isNode(node.args);
  const operand = negated ? (node.args as CelNode) : node;
  if (operand.op !== 'value') return null;
  const value = operand.args;
  if (typeof value === 'number') return { value: negated ? -value : value, text: numberText(value, negated) };
  if (typeof value === 'bigint')
    return { value: negated ? -value : value, text: `${negated ? '-' : ''}${value}` };
  return null;
}

/** A double literal as written, near enough: `1e300` reads `1e+300`, `2.0` reads `2.0`. */
function numberText(value: number, negated: boolean): string {
  const text = String(value);
  return `${negated ? '-' : ''}${Number.isInteger(value) && !/e/.test(text) ? `${text}.0` : text}`;
}

/** The problem of a conversion at `node` of a literal it cannot read, or null. */
function literalConversionProblem(node: CelNode): string | null {
  if (node.op === 'call' && Array.isArray(node.args) && typeof node.args[0] === 'string') {
    const [name, callArgs] = node.args as [string, unknown];
    const found = CONVERSIONS.get(name);
    if (found === undefined || !Array.isArray(callArgs) || callArgs.length !== 1) return null;
    const arg = literal(callArgs[0], found.numbers);
    if (arg !== null) return conversionError(name, found.run, arg.value, arg.text);
  }
  return null;
}
