/**
 * The output a worker completes a task with: one the engine stores, checked before the task is
 * settled so that the worker hears what is wrong with it.
 * @module
 */
import { MAX_OUTPUT_TEXT } from '../engine/action-step.js';
import { ValidationError } from '../errors.js';
import {
  copiedJsonText,
  findJsonProblem,
  jsonSizeOverLimit,
  NOT_JSON,
  TOO_LARGE,
  tryCopyJson,
} from '../json-value.js';

/**
 * Checks a task's output: JSON, within the engine's size limit.
 * @throws ValidationError headed 'Invalid complete arguments' for an output no store keeps (too
 * deep, not finite, too large).
 */
export function checkOutput(output: unknown): void {
  const copy = tryCopyJson(output, MAX_OUTPUT_TEXT);
  if (copy === NOT_JSON) {
    const problem = findJsonProblem(output, 'output') ?? {
      path: 'output',
      message: 'cannot be stored as JSON',
    };
    throw new ValidationError([problem], 'Invalid complete arguments');
  }
  // The engine's limit, checked here so that the worker hears it (a body limit above it let
  // such an output through, answered 204, and the step then failed with INVALID_OUTPUT).
  const text = copy === TOO_LARGE ? Number.POSITIVE_INFINITY : copiedJsonText(copy, MAX_OUTPUT_TEXT);
  if (text > MAX_OUTPUT_TEXT) {
    const message = jsonSizeOverLimit(text, MAX_OUTPUT_TEXT);
    throw new ValidationError([{ path: 'output', message }], 'Invalid complete arguments');
  }
}
