/**
 * The checks of the `PerformanceOptimizer`'s options and arguments: a bad one is a
 * ValidationError naming it.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { ValidationError } from '../errors.js';
import { assertReadable, unknownKeyIssues } from '../unknown-keys.js';
import type { PerformanceOptimizerOptions } from './performance-optimizer.js';

const OPTION_KEYS: readonly (keyof PerformanceOptimizerOptions)[] = [
  'slowThreshold',
  'maxWorkflows',
  'maxStepsPerWorkflow',
  'maxStepSeries',
];

/**
 * The constructor's options with their defaults.
 * @throws ValidationError when an option is out of range or unknown (a misspelt key is refused by name).
 */
export function checkOptions(options: PerformanceOptimizerOptions): Required<PerformanceOptimizerOptions> {
  assertReadable(options, OPTION_KEYS, 'Invalid PerformanceOptimizer options');
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('options', 'an object', options, OPTIONS);
  }
  const unknown = unknownKeyIssues(options, OPTION_KEYS);
  if (unknown.length > 0) throw new ValidationError(unknown, 'Invalid PerformanceOptimizer options');
  const {
    slowThreshold = 1000,
    maxWorkflows = 1000,
    maxStepsPerWorkflow = 200,
    maxStepSeries = 10_000,
  } = options;
  if (typeof slowThreshold !== 'number' || !Number.isFinite(slowThreshold) || slowThreshold < 0) {
    throw invalid('slowThreshold', 'a non-negative number', slowThreshold, OPTIONS);
  }
  for (const [key, value] of Object.entries({ maxWorkflows, maxStepsPerWorkflow, maxStepSeries })) {
    if (!Number.isInteger(value) || value < 1) throw invalid(key, 'a positive integer', value, OPTIONS);
  }
  return { slowThreshold, maxWorkflows, maxStepsPerWorkflow, maxStepSeries };
}

export function checkVersion(version: unknown, method: string): void {
  if (version !== undefined && !(Number.isSafeInteger(version) && (version as number) >= 1)) {
    throw invalid('version', 'a positive integer (a definition version)', version, method);
  }
}

export function checkDuration(durationMs: unknown, method: string): void {
  if (typeof durationMs !== 'number')
    throw invalid('durationMs', 'a number of milliseconds', durationMs, method);
}

const OPTIONS = 'PerformanceOptimizer';

/** @param method The method refusing its argument, or {@link OPTIONS} for the constructor. */
export function invalid(key: string, expected: string, got: unknown, method: string): ValidationError {
  return new ValidationError(
    [{ path: key, message: `Expected \`${key}\` to be ${expected}, got ${describeValue(got)}` }],
    method === OPTIONS ? 'Invalid PerformanceOptimizer options' : `Invalid ${method} arguments`,
  );
}
