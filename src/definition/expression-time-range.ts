/**
 * CEL's timestamps run from year 0001 to 9999, and its durations span at most 10,000 years either
 * way. @marcbachmann/cel-js checks neither when it computes one: a timestamp pushed past what a
 * JavaScript date holds became an invalid date, which compares false with everything, so
 * `timestamp(input.at) + duration(input.d) > timestamp(input.now)` was false without a word.
 * {@link guardTimeRange} makes the nodes that compute timestamps and durations fail instead.
 * @module
 */
import { Environment } from '@marcbachmann/cel-js';
import { checkValues, isNode } from './cel-ast.js';

const FIRST = '0001-01-01T00:00:00Z';
const LAST = '9999-12-31T23:59:59Z';
const MIN_TIME = Date.parse(FIRST);
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/** The longest CEL duration, in seconds: 10,000 years. */
const MAX_DURATION_SECONDS = 315_576_000_000n;

// The library's duration class is not exported; take its prototype.
const DURATION_PROTO: unknown = Object.getPrototypeOf(new Environment().evaluate("duration('1s')"));

/** Why `value` is a timestamp or duration outside CEL's range, or null. */
function rangeProblem(value: unknown): string | null {
  if (value instanceof Date) {
    const time = value.getTime();
    return time >= MIN_TIME && time <= MAX_TIME
      ? null
      : `timestamp overflow: the result is outside ${FIRST} to ${LAST}`;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === DURATION_PROTO) {
    const { seconds } = value as { seconds: bigint };
    return seconds >= -MAX_DURATION_SECONDS && seconds <= MAX_DURATION_SECONDS
      ? null
      : `duration overflow: ${seconds}s is outside -${MAX_DURATION_SECONDS}s to ${MAX_DURATION_SECONDS}s (10,000 years)`;
  }
  return null;
}

/** Whether `node` may compute a timestamp or a duration. */
function computesTime(node: { op: string; args: unknown }): boolean {
  if (node.op === '+' || node.op === '-' || node.op === '-_') return true;
  return (
    node.op === 'call' &&
    Array.isArray(node.args) &&
    (node.args[0] === 'timestamp' || node.args[0] === 'duration')
  );
}

/** Makes the nodes of `ast` (a parsed expression not yet evaluated) that compute times fail outside the ranges. */
export function guardTimeRange(ast: unknown): void {
  if (Array.isArray(ast)) {
    for (const item of ast) guardTimeRange(item);
    return;
  }
  if (!isNode(ast)) return;
  if (computesTime(ast)) {
    checkValues(ast, (value) => {
      const problem = rangeProblem(value);
      if (problem !== null) throw new Error(problem);
    });
  }
  guardTimeRange(ast.args);
}
