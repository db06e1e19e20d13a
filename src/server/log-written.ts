/**
 * Waiting until a pino logger's asynchronous destination has written what it was given.
 * @module
 */
import { type Logger, pino } from 'pino';

/** The part of sonic-boom (pino's asynchronous destination) read here. */
interface AsyncDestination {
  /** sonic-boom's own flag: a write is under way (it emits `drain` once it has written all). */
  _writing?: boolean;
  once(event: 'drain' | 'error' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'error' | 'close', listener: () => void): unknown;
}

/**
 * Resolves once `logger`'s destination has written every line logged so far (pino's `flush`
 * does not wait when the destination buffers nothing, as `pino.destination()` does not: its
 * lines are still in flight). Never rejects, and gives up waiting after `maxMs`: a stderr nobody
 * reads must not stop what waits for it.
 */
export function logWritten(logger: Logger, maxMs = 1000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | AsyncDestination
    | undefined;
  if (stream?._writing !== true || typeof stream.once !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const event of ['drain', 'error', 'close'] as const) stream.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    for (const event of ['drain', 'error', 'close'] as const) stream.once(event, done);
  });
}
