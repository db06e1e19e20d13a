/**
 * The checks of the `PerformanceOptimizer`'s options and arguments: a bad one is a
 * ValidationError naming it.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { type Issue, ValidationError } from '../errors.js';
import { notPlainObject } from '../plain-object.js';
import { assertReadable, unknownKeyIssues, unreadableIssues } from '../unknown-keys.js';
import type { PerformanceOptimizerOptions, StepRunInfo } from './performance-optimizer.js';

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

/** @param path Where the version was given: the `version` argument, or `info.version`. */
export function checkVersion(version: unknown, method: string, path = 'version'): void {
  if (version !== undefined && !(Number.isSafeInteger(version) && (version as number) >= 1)) {
    throw invalid(path, 'a positive integer (a definition version)', version, method);
  }
}

export function checkDuration(durationMs: unknown, method: string, name = 'durationMs'): void {
  if (typeof durationMs !== 'number') throw invalid(name, 'a number of milliseconds', durationMs, method);
}

const STEP_INFO_KEYS: readonly (keyof StepRunInfo)[] = [
  'timeoutMs',
  'retried',
  'failed',
  'attemptMs',
  'parent',
  'waitMs',
  'queuedMs',
  'version',
];

const TIMES_OF_RUN = ['attemptMs', 'waitMs', 'queuedMs'] as const;

/**
 * The checks of `recordStep`'s `info`: an object of known keys (a misspelt one is refused by name),
 * each absent (`undefined`) or of its type: `timeoutMs` a non-negative number of ms or `null`,
 * `retried` and `failed` booleans, `parent` a non-empty string, the times of the run numbers (as
 * `durationMs`: NaN is taken and ignored), `version` a positive integer.
 * @throws ValidationError naming the field (`info.timeoutMs`), headed 'Invalid recordStep arguments'.
 */
export function checkStepInfo(info: StepRunInfo | undefined): void {
  if (info === undefined || stepInfoIsFine(info)) return;
  const method = 'recordStep';
  checkInfoShape(info, STEP_INFO_KEYS, 'an object such as { retried: true }', method);
  const { timeoutMs, retried, failed, parent } = info;
  if (timeoutMs !== undefined && timeoutMs !== null && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
    throw invalid('info.timeoutMs', 'a non-negative number of milliseconds or null', timeoutMs, method);
  }
  if (retried !== undefined && typeof retried !== 'boolean') {
    throw invalid('info.retried', 'a boolean', retried, method);
  }
  if (failed !== undefined && typeof failed !== 'boolean') {
    throw invalid('info.failed', 'a boolean', failed, method);
  }
  if (parent !== undefined && (typeof parent !== 'string' || parent.length === 0)) {
    throw invalid('info.parent', 'a non-empty string (the parallel step)', parent, method);
  }
  for (const key of TIMES_OF_RUN) {
    const ms = info[key];
    if (ms !== undefined && typeof ms !== 'number') {
      throw invalid(`info.${key}`, 'a number of milliseconds', ms, method);
    }
  }
  checkVersion(info.version, method, 'info.version');
}

/**
 * Whether `info` passes {@link checkStepInfo} at a glance (the engine's info does, once per step
 * run): a plain read of known keys of the right types. Anything else, a read that throws included,
 * goes through the full checks, which name what is wrong (or find nothing: an unknown key given as
 * `undefined` is no problem).
 */
function stepInfoIsFine(info: unknown): boolean {
  try {
    if (info === null || typeof info !== 'object' || Array.isArray(info)) return false;
    for (const key of Object.keys(info)) if (!STEP_INFO_KEYS.includes(key as keyof StepRunInfo)) return false;
    const { timeoutMs, retried, failed, parent, attemptMs, waitMs, queuedMs, version } = info as StepRunInfo;
    return (
      (timeoutMs === undefined || timeoutMs === null || (typeof timeoutMs === 'number' && timeoutMs >= 0)) &&
      (retried === undefined || typeof retried === 'boolean') &&
      (failed === undefined || typeof failed === 'boolean') &&
      (parent === undefined || (typeof parent === 'string' && parent.length > 0)) &&
      (attemptMs === undefined || typeof attemptMs === 'number') &&
      (waitMs === undefined || typeof waitMs === 'number') &&
      (queuedMs === undefined || typeof queuedMs === 'number') &&
      (version === undefined || (Number.isSafeInteger(version) && version >= 1))
    );
  } catch {
    return false;
  }
}

/**
 * The checks of `recordCompensation`'s `info`: an object whose only key is `version`, a positive
 * integer when given.
 * @throws ValidationError naming `info` or the field, headed 'Invalid recordCompensation arguments'.
 */
export function checkCompensationInfo(info: { version?: number | undefined } | undefined): void {
  if (info === undefined) return;
  checkInfoShape(info, ['version'], 'an object such as { version: 2 }', 'recordCompensation');
  checkVersion(info.version, 'recordCompensation', 'info.version');
}

/** `info` is an object, readable, without unknown keys; issues are named `info.<key>`. */
function checkInfoShape(info: unknown, known: readonly string[], expected: string, method: string): void {
  if (info === null || typeof info !== 'object') throw invalid('info', expected, info, method);
  checkReadable(info, 'info', known, method);
  if (Array.isArray(info)) throw invalid('info', expected, info, method);
  refuse(unknownKeyIssues(info, known), 'info', method);
}

/**
 * @throws ValidationError naming `path` (or `path.<key>`) when `value`, an object, cannot be read:
 *   a revoked Proxy (on which even `Array.isArray` throws), a getter or a trap that throws.
 */
export function checkReadable(value: object, path: string, known: readonly string[], method: string): void {
  refuse(unreadableIssues(value, known), path, method);
}

function refuse(issues: readonly Issue[], path: string, method: string): void {
  if (issues.length === 0) return;
  throw new ValidationError(
    issues.map((issue) => ({ ...issue, path: issue.path === '' ? path : `${path}.${issue.path}` })),
    `Invalid ${method} arguments`,
  );
}

const OPTIONS = 'PerformanceOptimizer';

/** @param method The method refusing its argument, or {@link OPTIONS} for the constructor. */
export function invalid(key: string, expected: string, got: unknown, method: string): ValidationError {
  return new ValidationError(
    [{ path: key, message: `Expected \`${key}\` to be ${expected}, got ${describeValue(got)}` }],
    method === OPTIONS ? 'Invalid PerformanceOptimizer options' : `Invalid ${method} arguments`,
  );
}

/**
 * `identifyBottleneck`'s `stepTimes` (an object, readable): a plain object whose every value is a
 * number (`'100'` was passed over, and another step named).
 * @throws ValidationError naming `stepTimes` (a `Map`, a class instance) or `stepTimes.<step>`.
 */
export function checkStepTimes(stepTimes: object): void {
  const what = notPlainObject(stepTimes);
  if (what !== null) {
    throw new ValidationError(
      [
        {
          path: 'stepTimes',
          message: `Expected \`stepTimes\` to be a plain object of { step: ms }, got ${what}`,
        },
      ],
      'Invalid identifyBottleneck arguments',
    );
  }
  // A non-finite number is passed over, as `recordStep` and `recordExecution` pass one over.
  for (const [step, ms] of Object.entries(stepTimes)) {
    if (typeof ms !== 'number')
      throw invalid(`stepTimes.${step}`, 'a number of ms', ms, 'identifyBottleneck');
  }
}
