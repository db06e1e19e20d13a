/**
 * The one check of an id or name argument of the public classes (balancer worker and execution
 * ids, step names of ErrorRecovery, the optimizer's workflow and step ids).
 * @module
 */
import { describeValue } from './describe-value.js';
import { ValidationError } from './errors.js';

/**
 * @param method The public method checking its argument, for the heading ('Invalid addWorker arguments').
 * @throws ValidationError naming `method` and `path` unless `value` is a non-empty string.
 */
export function checkNonEmptyString(value: unknown, path: string, method: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(
      [{ path, message: `Expected \`${path}\` to be a non-empty string, got ${describeValue(value)}` }],
      `Invalid ${method} arguments`,
    );
  }
}
