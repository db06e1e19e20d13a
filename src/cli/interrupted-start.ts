/**
 * A signal while `run` or `serve` is still starting (its handlers module loading, its store
 * opening) stops the command there, before it defines, runs or serves anything: exit 130.
 * @module
 */
import { CliError, EXIT } from './errors.js';
import type { Interrupt } from './interrupt.js';

/** What {@link unlessInterrupted} answers when a signal came first. */
export const STOPPED: unique symbol = Symbol('stopped by a signal');

/**
 * `work`'s value, or {@link STOPPED} as soon as a signal comes (or came) first: `work` is not
 * waited for then, and what it gives or throws later is dropped.
 */
export function unlessInterrupted<T>(work: Promise<T>, interrupt: Interrupt): Promise<T | typeof STOPPED> {
  const stopped = interrupt.signaled.then((): typeof STOPPED => STOPPED);
  if (interrupt.fired) {
    work.catch(() => undefined);
    return stopped;
  }
  return Promise.race([work, stopped]);
}

/**
 * The error (exit 130, code `INTERRUPTED`) of `command` stopped by a signal while it started:
 * `interrupted (SIGINT) while run was starting: <how far it got>`.
 */
export function interruptedWhileStarting(command: string, interrupt: Interrupt, stopped: string): CliError {
  return new CliError(
    `interrupted (${interrupt.signal ?? 'SIGINT'}) while ${command} was starting: ${stopped}`,
    {
      exitCode: EXIT.interrupted,
      code: 'INTERRUPTED',
    },
  );
}

/** How far a command stopped before its store opened got: nowhere. */
export const BEFORE_STORE = 'stopped before opening the store, with nothing done';
