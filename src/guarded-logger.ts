/**
 * The engine's logger behind a guard: a report that throws (its destination closed, a bug in a
 * custom logger) is dropped. The engine reports where it has already decided what to do next —
 * give an execution up after a failed write, let a lost lease go — and a throw out of a report
 * would skip that decision and leave the execution stalled.
 * @module
 */
import type { Logger } from './config.js';

type Report = (obj: object, msg?: string) => void;

/** `logger` with each of its four methods guarded (called with `logger` as `this`). */
export function guardedLogger(logger: Logger): Logger {
  const guard =
    (report: Report): Report =>
    (obj, msg) => {
      try {
        report.call(logger, obj, msg);
      } catch {
        // Dropped: there is nowhere left to report that the logger failed.
      }
    };
  return {
    debug: guard(logger.debug),
    info: guard(logger.info),
    warn: guard(logger.warn),
    error: guard(logger.error),
  };
}
