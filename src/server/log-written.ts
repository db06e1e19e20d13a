/**
 * Waiting until a logger's destination has written what it was given.
 * @module
 */
import { type Logger, pino } from 'pino';

/** A destination that can say when it has written everything (the default one: `FdDestination`). */
interface Awaitable {
  written(maxMs: number): Promise<void>;
}

/**
 * Resolves once `logger`'s destination has written every line logged so far, or after `maxMs`
 * (a stderr nobody reads must not stop what waits for it). Resolves at once for a destination
 * that cannot tell. Never rejects.
 */
export function logWritten(logger: Logger, maxMs = 1000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | Partial<Awaitable>
    | undefined;
  if (typeof stream?.written !== 'function') return Promise.resolve();
  return stream.written(maxMs);
}
