/**
 * A signal while `run` or `serve` is still starting (its handlers module loading, its store
 * opening) stops the command there, before it defines, runs or serves anything: exit 130.
 * @module
 */
import { CliError, EXIT } from './errors.js';
import type { Interrupt } from './interrupt.js';

/** What {@link unlessInterrupted} answers when a signal came first. */
const STOPPED: unique symbol = Symbol('stopped by a signal');

/**
 * `work`'s value, or {@link STOPPED} as soon as a signal comes (or came) first: `work` is not
 * waited for then, and what it gives or throws later is dropped.
 */
function unlessInterrupted<T>(work: Promise<T>, interrupt: Interrupt): Promise<T | typeof STOPPED> {
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
const BEFORE_STORE = 'stopped before opening the store, with nothing done';

/**
 * `work`'s value, for a step of `command`'s start before its store opens (reading a pipe, loading
 * the handlers module). @throws the {@link interruptedWhileStarting} error (exit 130) as soon as a
 * signal comes (or if one came), `work` not waited for.
 */
export async function beforeStoreUnlessInterrupted<T>(
  work: Promise<T>,
  interrupt: Interrupt,
  command: string,
): Promise<T> {
  const value = await unlessInterrupted(work, interrupt);
  if (value === STOPPED || interrupt.fired) throw interruptedWhileStarting(command, interrupt, BEFORE_STORE);
  return value;
}
