/**
 * The engine's own copy of a workflow input (`executeWorkflow`): JSON as every store keeps it
 * (see `json-value.ts`), at most {@link MAX_OUTPUT_TEXT} characters of JSON text, the limit a step
 * output has, so that every store can write it, a step can pass it on as its output, and the same
 * input is refused the same way on every store (a `ValidationError` naming `inputData`).
 * @module
 */
import { ValidationError } from '../errors.js';
import { copiedJsonText, copyJsonOrThrow } from '../json-value.js';
import { MAX_OUTPUT_TEXT } from './action-step.js';

const MIB = 1024 * 1024;
const TITLE = 'Invalid execution request';

/** A copy of `inputData` (`{}` when it is undefined); throws a ValidationError naming the problem. */
export function copyExecutionInput(inputData: unknown): unknown {
  if (inputData === undefined) return {};
  const value = copyJsonOrThrow(inputData, 'inputData', TITLE);
  // Counted by the copy just made (see `copiedJsonText`).
  const text = copiedJsonText(value, MAX_OUTPUT_TEXT);
  if (text > MAX_OUTPUT_TEXT) {
    const message = `is too large to store: about ${Math.round(text / MIB)} MiB of JSON text, over the limit of ${MAX_OUTPUT_TEXT / MIB} MiB`;
    throw new ValidationError([{ path: 'inputData', message }], TITLE);
  }
  return value;
}
