/**
 * The output a worker completes a task with: one the engine stores, checked before the task is
 * settled so that the worker hears what is wrong with it.
 * @module
 */
import { outputProblem } from '../engine/output-problem.js';
import { ValidationError } from '../errors.js';

/**
 * Checks a task's output: JSON, within the engine's size limit.
 * @throws ValidationError headed 'Invalid complete arguments' for an output no store keeps (too
 * deep, not finite, too large).
 */
export function checkOutput(output: unknown): void {
  // The engine's limits, checked here so that the worker hears them (a body limit above the size
  // let such an output through, answered 204, and the step then failed with INVALID_OUTPUT).
  const problem = outputProblem(output);
  if (problem !== null) {
    throw new ValidationError(
      [{ path: problem.path, message: problem.message }],
      'Invalid complete arguments',
    );
  }
}
