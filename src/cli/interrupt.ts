/**
 * Ctrl-C (SIGINT) and SIGTERM while a command works: the first signal resolves a promise the
 * command races against its work (so it can close cleanly); a second one exits at once.
 * @module
 */
import { EXIT } from './errors.js';

/** A pending interruption and how to stop listening. */
export interface Interrupt {
  /** Resolves with the signal name when the first signal arrives. */
  readonly signaled: Promise<NodeJS.Signals>;
  /** Whether a signal arrived already. */
  readonly fired: boolean;
  /** Stops listening (call when the work is over). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM. On a second signal, `onForce` runs (default: exit 130 at once),
 * since the user asked twice.
 */
export function listenForInterrupt(onForce: () => void = () => process.exit(EXIT.interrupted)): Interrupt {
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const signaled = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  let count = 0;
  let fired = false;
  const handler = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      fired = true;
      resolve(signal);
    } else onForce();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signaled,
    get fired() {
      return fired;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
