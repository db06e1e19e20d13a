/**
 * A division by zero fails the evaluation, whatever the numbers. CEL fails one of ints, but JSON
 * numbers are doubles, and a double one gives Infinity or NaN (IEEE 754): as a step's input it was
 * refused as not JSON, but a condition decided on it without a word (`steps.count.output.errors /
 * input.total > 0.1` held for a total of 0, and `0 / 0` compared false with everything). As `%`
 * (see `expression.ts`), `/` now fails instead; so does a quotient past the double range.
 * @module
 */
import { checkValues, evaluateAgain, isNode } from './cel-ast.js';

function isZero(value: unknown): boolean {
  return value === 0 || value === 0n;
}

/** Makes every `/` of `ast` (a parsed expression not yet evaluated) fail where it gave no finite number. */
export function guardDivision(ast: unknown): void {
  if (Array.isArray(ast)) {
    for (const item of ast) guardDivision(item);
    return;
  }
  if (!isNode(ast)) return;
  if (ast.op === '/' && Array.isArray(ast.args)) {
    const divisor: unknown = ast.args[1];
    checkValues(ast, (value, ev, ctx) => {
      if (typeof value !== 'number' || Number.isFinite(value)) return;
      // Only on this path: the divisor tells a division by zero from an overflow.
      if (isZero(evaluateAgain(divisor, ev, ctx))) throw new Error('division by zero');
      throw new Error(
        Number.isNaN(value)
          ? 'the quotient is not a number'
          : `the quotient is ${value}, past the double range`,
      );
    });
  }
  guardDivision(ast.args);
}
