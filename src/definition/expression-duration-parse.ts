/**
 * `duration()` of text as CEL reads it (Go's duration syntax): each number needs a digit and a unit,
 * and a bare `0` is zero. The library read a unit with no number as zero (`duration('s')`,
 * `duration('h')` and `duration('.s')` were `0s`, so `duration(input.wait)` of a unit alone waited
 * nothing) and refused `'0'`. {@link guardDurationText} makes the first fail and reads the second.
 * @module
 */
import { callName, type FunctionHandle, forEachNode, type HandledNode } from './cel-ast.js';

/** Go's duration syntax: an optional sign, then `0` or numbers each with a digit and a unit. */
const DURATION = /^[+-]?(?:0|(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+)$/;

/** A bare zero, signed or not. */
const ZERO = /^[+-]?0$/;

function guardNode(node: HandledNode<FunctionHandle>): void {
  const library = node.handle;
  if (typeof library !== 'function' || callName(node) !== 'duration') return;
  node.handle = (values, self, ev) => {
    const text = values[0];
    if (values.length !== 1 || typeof text !== 'string' || text === '') return library(values, self, ev);
    if (!DURATION.test(text)) {
      throw new Error(
        `Invalid duration string: '${text}' (write numbers with a unit each: '90s', '1h30m', '1.5h', '250ms')`,
      );
    }
    return library(ZERO.test(text) ? ['0s'] : values, self, ev);
  };
}

/** Makes the `duration()` calls of `ast` (a checked expression) read text as CEL does. */
export function guardDurationText(ast: unknown): void {
  forEachNode(ast, guardNode);
}
