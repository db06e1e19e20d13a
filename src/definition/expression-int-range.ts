/**
 * CEL's `int` is a signed 64-bit integer. @marcbachmann/cel-js keeps ints as BigInt and fails `+`,
 * `-` and `*` of two ints that leave the range, but not `int()` of a double (`int(1e300)` gave
 * 10^300, so `int(input.n) > 0` held for any huge `n`), `-` of the least int, its `/ -1` or `% -1`
 * (0, where CEL fails: the quotient overflows), nor an int literal past the range (`9223372036854775808`);
 * and `uint()` of a double between -1 and 0 (`uint(-0.5)`) gave 0 where CEL fails. {@link guardIntRange} makes those nodes of a
 * compiled tree fail with an integer overflow instead; {@link findIntLiteralProblem} finds such a
 * literal, so that a new definition with one is refused.
 * @module
 */
import {
  type CelNode,
  callName,
  checkValues,
  type FunctionHandle,
  type HandledNode,
  isNode,
} from './cel-ast.js';

/** The least and the greatest CEL int. */
export const MIN_INT = -(2n ** 63n);
export const MAX_INT = 2n ** 63n - 1n;

const RANGE = `the 64-bit int range (${MIN_INT} to ${MAX_INT})`;

function outOfRange(value: unknown): value is bigint {
  return typeof value === 'bigint' && (value < MIN_INT || value > MAX_INT);
}

/** An int far outside the range as a message shows it: past 20 digits as a double (`1e+300`). */
function shown(value: bigint): string {
  const digits = String(value);
  return digits.length > 21 ? String(Number(value)) : digits;
}

function literalProblem(value: bigint): string {
  return `the int literal ${value} is outside ${RANGE}`;
}

/** Whether `node` is a literal the parser reads past the range: `-9223372036854775808` negates one. */
function isOutOfRangeLiteral(node: CelNode, negated: boolean): boolean {
  return node.op === 'value' && outOfRange(node.args) && !(negated && node.args === -MIN_INT);
}

/** How the value `node` computes is refused when it leaves the range, or null when it cannot. */
function overflowMessage(node: CelNode, negated: boolean): ((value: bigint) => string) | null {
  if (node.op === 'call' && Array.isArray(node.args) && node.args[0] === 'int') {
    return (value) => `int() type error: integer overflow: ${shown(value)} is outside ${RANGE}`;
  }
  if (node.op === '-_' || node.op === '/') return (value) => `integer overflow: ${value}`;
  if (isOutOfRangeLiteral(node, negated)) return literalProblem;
  return null;
}

/** How the library handles a binary operator: both operands, evaluated. */
type BinaryHandle = (left: unknown, right: unknown, node: unknown, ev: unknown) => unknown;

/** Makes a `%` node (of a checked tree) fail on the least int `% -1`, whose quotient overflows. */
function guardRemainder(node: HandledNode<BinaryHandle>): void {
  const library = node.handle;
  if (node.op !== '%' || typeof library !== 'function') return;
  node.handle = (left, right, self, ev) => {
    if (left === MIN_INT && right === -1n) throw new Error(`integer overflow: ${MIN_INT} % -1`);
    return library(left, right, self, ev);
  };
}

/** Makes a `uint()` call (of a checked tree) fail on a negative double, which the library cut to 0. */
function guardUnsigned(node: HandledNode<FunctionHandle>): void {
  const library = node.handle;
  if (typeof library !== 'function' || callName(node) !== 'uint') return;
  node.handle = (values, self, ev) => {
    const value = values[0];
    if (values.length === 1 && typeof value === 'number' && value < 0) {
      throw new Error(`uint() type error: unsigned integer overflow: ${value} is below 0`);
    }
    return library(values, self, ev);
  };
}

/**
 * Makes the nodes of `ast` (a parsed, not yet evaluated expression) that can compute an int outside
 * the range fail when they do, with a message naming the value.
 */
export function guardIntRange(ast: unknown, negated = false): void {
  if (Array.isArray(ast)) {
    for (const item of ast) guardIntRange(item);
    return;
  }
  if (!isNode(ast)) return;
  guardRemainder(ast);
  guardUnsigned(ast);
  const message = overflowMessage(ast, negated);
  if (message !== null) {
    checkValues(ast, (value) => {
      if (outOfRange(value)) throw new Error(message(value));
    });
  }
  guardIntRange(ast.args, ast.op === '-_');
}

/** The first int literal in `ast` outside the range, as a problem; or null. */
export function findIntLiteralProblem(ast: unknown, negated = false): string | null {
  if (Array.isArray(ast)) {
    for (const item of ast) {
      const problem = findIntLiteralProblem(item);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (!isNode(ast)) return null;
  if (isOutOfRangeLiteral(ast, negated)) return literalProblem(ast.args as bigint);
  return findIntLiteralProblem(ast.args, ast.op === '-_');
}
