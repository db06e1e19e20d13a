/**
 * The engine's logger behind a guard: a report that throws (its destination closed, a bug in a
 * custom logger) is dropped. The engine reports where it has already decided what to do next —
 * give an execution up after a failed write, let a lost lease go — and a throw out of a report
 * would skip that decision and leave the execution stalled.
 * @module
 */
import type { Logger } from './config.js';

type Level = keyof Logger;
type Report = (obj: object, msg?: string) => void;

/**
 * `logger` with each of its four methods guarded, each looked up on `logger` at every call (and
 * called with `logger` as `this`): pino replaces its level methods when its level changes, so a
 * method kept from the start would stay at the level the logger had then.
 */
export function guardedLogger(logger: Logger): Logger {
  const guard =
    (level: Level): Report =>
    (obj, msg) => {
      try {
        logger[level](obj, msg);
      } catch {
        // Dropped: there is nowhere left to report that the logger failed.
      }
    };
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') };
}
