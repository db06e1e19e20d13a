/**
 * Parsers for option values. Commander parsers throw `InvalidArgumentError` (reported by
 * commander with the option's name, exit 2); `parseJsonOption` throws a `UsageError` with the
 * JSON parser's own message.
 * @module
 */
import { InvalidArgumentError } from 'commander';
import { MAX_SECONDS } from '../definition/max-seconds.js';
import { idempotencyKeyProblem } from '../engine/idempotency-key.js';
import { EXECUTION_ID_SHAPE, executionIdTime } from '../ids.js';
import { duplicateKeyProblem } from '../json-duplicate-keys.js';
import { jsonSyntaxProblem } from '../json-syntax-problem.js';
import { unsafeIntegerProblem } from '../json-unsafe-integers.js';
import { EXECUTION_STATES, type ExecutionState } from '../types.js';
import { UsageError } from './errors.js';

/**
 * A decimal number without a sign: `Number()` also reads `0x10`, `0b11` and `0o7`, which no one
 * means as seconds.
 */
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** `value` as seconds from 0 (if `zero`) or above, at most {@link MAX_SECONDS}. */
function seconds(value: string, zero: boolean): number {
  const n = Number(value);
  if (!DECIMAL.test(value.trim()) || !Number.isFinite(n) || (n === 0 && !zero) || n > MAX_SECONDS) {
    const what = zero ? '0 or a positive number' : 'a positive number';
    throw new InvalidArgumentError(`Expected ${what} of seconds, at most ${MAX_SECONDS}.`);
  }
  return n;
}

/**
 * A positive number of seconds (fractions allowed), at most {@link MAX_SECONDS} like every
 * duration of the library (whose `close({ grace })` refuses more).
 */
export function parseSeconds(value: string): number {
  return seconds(value, false);
}

/** `run --idempotency-key`: a key `executeWorkflow` takes, checked before the store opens. */
export function parseIdempotencyKey(value: string): string {
  const problem = idempotencyKeyProblem(value);
  if (problem !== null) throw new InvalidArgumentError(`Idempotency key: ${problem}.`);
  return value;
}

/** `serve --grace`: 0 (no grace), or seconds as {@link parseSeconds}. */
export function parseGrace(value: string): number {
  return seconds(value, true);
}

const DURATION = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(s|m|h|d|w)?$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * A duration such as `30d`, `12h`, `90m`, `45s`, `2w` or plain seconds (`3600`, or `1e3` as the
 * seconds options take it), as seconds: positive, at most {@link MAX_SECONDS}.
 */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value.trim());
  const n = match ? Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']! : Number.NaN;
  if (!(n > 0 && n <= MAX_SECONDS)) {
    throw new InvalidArgumentError(
      `Expected a positive duration such as 30d, 12h, 90m, 45s or 2w (plain numbers are seconds), at most ${MAX_SECONDS} seconds.`,
    );
  }
  return n;
}

/** A positive integer no larger than `max`. */
export function parsePositiveInt(max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`Expected an integer from 1 to ${max}.`);
    }
    return n;
  };
}

/**
 * A value that may not be empty (a path, a URL, an id): `--workflow "$WF"` with `WF` unset gives
 * an empty one, which the command would take as the option not given.
 */
export function parseNonEmpty(value: string): string {
  if (value === '')
    throw new InvalidArgumentError('Expected a value, got an empty one (an unset variable?).');
  return value;
}

/** One of the execution states. */
export function parseState(value: string): ExecutionState {
  if (!(EXECUTION_STATES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Expected one of ${EXECUTION_STATES.join(', ')}.`);
  }
  return value as ExecutionState;
}

/** An execution id this engine makes (`list --before`). */
export function parseExecutionId(value: string): string {
  if (executionIdTime(value) === null) {
    throw new InvalidArgumentError(`Expected ${EXECUTION_ID_SHAPE}.`);
  }
  return value;
}

/** The JSON value of an option such as `--input`. */
export function parseJsonOption(flag: string, value: string | undefined, fallback: unknown): unknown {
  if (value === undefined) return fallback;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    // Named with its place, as the API names it in a body (the engine's message may give none).
    const problem = jsonSyntaxProblem(value, 'value') ?? (error as Error).message;
    throw new UsageError(`${flag} is not valid JSON: ${problem}`);
  }
  // JSON.parse keeps the last value of a key given twice and drops the others silently.
  const duplicate = duplicateKeyProblem(value);
  if (duplicate) throw new UsageError(`${flag}: ${duplicate}`);
  // JSON.parse rounds an integer past 2^53 silently: the value stored would not be the one given.
  const unsafe = unsafeIntegerProblem(value);
  if (unsafe) throw new UsageError(`${flag}: ${unsafe}`);
  return parsed;
}
