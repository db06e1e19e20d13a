/**
 * What the expression range and literal tests ask of an expression: the `ValidationError` a new
 * definition using it gets (or null when it is taken), and the `ExpressionError` message its
 * evaluation fails with.
 */
import { expect } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { validateDefinition } from '../../../src/definition/validate.js';
import { ExpressionError, type ValidationError } from '../../../src/errors.js';

/** The error defining a workflow with `source` as a step's `condition` (or `input`) gets, or null. */
export function refusal(source: string, as: 'condition' | 'input' = 'condition'): ValidationError | null {
  try {
    validateDefinition('w', [{ name: as === 'condition' ? 'check' : 'a', [as]: source }]);
    return null;
  } catch (error) {
    return error as ValidationError;
  }
}

/** The message of the `ExpressionError` that `evaluate` fails with (`what` names it otherwise). */
export function failureMessage(what: string, evaluate: () => unknown): string {
  try {
    evaluate();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return (error as ExpressionError).message;
  }
  throw new Error(`expected '${what}' to fail`);
}

/** The message of the `ExpressionError` compiling `source` is refused with. */
export function refused(source: string): string {
  return failureMessage(source, () => compileExpression(source));
}
