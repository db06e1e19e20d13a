/**
 * The engine's own copy of a workflow input (`executeWorkflow`): JSON as every store keeps it
 * (see `json-value.ts`), at most {@link MAX_OUTPUT_TEXT} characters of JSON text, the limit a step
 * output has, so that every store can write it, a step can pass it on as its output, and the same
 * input is refused the same way on every store (a `ValidationError` naming `inputData`).
 * @module
 */
import { copyJsonOrThrow } from '../json-value.js';
import { MAX_OUTPUT_TEXT } from './action-step.js';

/**
 * A copy of `inputData` (`{}` when it is undefined); throws a ValidationError naming the problem,
 * its path starting with `path` (where the input came from: `inputData`, or `''` for the CLI's
 * `--input`, which checks it before it opens a store).
 */
export function copyExecutionInput(inputData: unknown, path = 'inputData'): unknown {
  if (inputData === undefined) return {};
  return copyJsonOrThrow(inputData, path, 'Invalid execution request', MAX_OUTPUT_TEXT);
}
