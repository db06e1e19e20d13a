/**
 * Checks of the objects an embedder injects in place of the engine's own: a clock and a logger.
 * @module
 */
import type { Clock } from './clock.js';
import type { Logger } from './config.js';
import { describeValue } from './describe-value.js';

/** The methods of {@link Clock} that `value` lacks (the engine calls all three). */
export function missingClockMethods(value: unknown): (keyof Clock)[] {
  const clock = (value !== null && typeof value === 'object' ? value : {}) as Partial<
    Record<keyof Clock, unknown>
  >;
  return (['now', 'setTimer', 'sleep'] as const).filter((m) => typeof clock[m] !== 'function');
}

const LOGGER_METHODS = ['info', 'warn', 'error', 'debug'] as const;

/**
 * Why `value` is refused as a `logger` (every logger option takes one with at least warn()): what
 * it got, and for an object which of the four methods it has, so a misspelt `wran` shows.
 */
export function loggerRefusal(value: unknown): string {
  const expected = 'Expected `logger` to be a logger with info/warn/error/debug, got';
  if (value === null || typeof value !== 'object') return `${expected} ${describeValue(value)}`;
  const has = LOGGER_METHODS.filter((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (has.length === 0) return `${expected} an object with none of them`;
  const list = has.map((m) => `${m}()`);
  const named = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
  return `${expected} an object with ${named} but no warn()`;
}

/** Whether `value` is taken as a `logger`: it has warn() (a guard drops a report another lacks). */
export function isLogger(value: unknown): value is Logger {
  return typeof (value as Partial<Logger> | null | undefined)?.warn === 'function';
}
