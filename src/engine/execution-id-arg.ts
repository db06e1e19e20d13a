/**
 * The check of an execution id argument (`getExecutionStatus`, `waitForCompletion`,
 * `cancelWorkflow`): a value that is not a string — most often the promise of an
 * `executeWorkflow` whose `await` was forgotten — would otherwise look like an unknown id
 * (`null`, `false`, "Execution '[object Promise]' does not exist").
 * @module
 */
import { describeKind } from '../describe-value.js';
import { ValidationError } from '../errors.js';

/**
 * @param method the method given `value`, for the error's heading ('Invalid cancelWorkflow arguments').
 * @throws ValidationError (path `executionId`) unless `value` is a string.
 */
export function checkExecutionId(value: unknown, method: string): asserts value is string {
  if (typeof value === 'string') return;
  throw new ValidationError(
    [{ path: 'executionId', message: `expected an execution id string, got ${describeKind(value)}` }],
    `Invalid ${method} arguments`,
  );
}
