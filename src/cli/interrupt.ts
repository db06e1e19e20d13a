/**
 * Ctrl-C (SIGINT) and SIGTERM while a command works: the first signal resolves a promise the
 * command races against its work (so it can close cleanly); a second one exits at once.
 *
 * From the process's start until a command listens, signals are held ({@link holdInterrupts}):
 * one that arrives while modules load or a definition is read is handed to the command when it
 * listens, so an early Ctrl-C of `run --json` still ends with its JSON document, not with a
 * process killed by the signal and nothing printed (`run` and `serve` listen before they import a
 * handlers module, and stop at a signal that comes while they start: `interrupted-start.ts`). Commands that do
 * not listen themselves end at the first signal with their usual error report ({@link exitOnInterrupt}).
 * This module imports nothing but the exit codes: the entry point loads it first.
 * @module
 */
import { EXIT } from './exit-codes.js';

/** A pending interruption and how to stop listening. */
export interface Interrupt {
  /** Resolves with the signal name when the first signal arrives. */
  readonly signaled: Promise<NodeJS.Signals>;
  /** Whether a signal arrived already. */
  readonly fired: boolean;
  /** The first signal that arrived, if one did. */
  readonly signal: NodeJS.Signals | null;
  /** Stops listening (call when the work is over). */
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Signals held since the start: the first one seen, and the handler holding them. */
interface Held {
  signal: NodeJS.Signals | null;
  handler: (signal: NodeJS.Signals) => void;
}

let held: Held | null = null;

/** What a second signal says before the process exits at once. */
export const INTERRUPTED_TWICE = 'interrupted twice: exiting at once, without closing';

/**
 * Exits 130 at once after a second signal, saying so on stderr and, with `--json` (`json`), as
 * the `{ error }` document on stdout, so that even then stdout holds one JSON document.
 */
export function exitInterruptedTwice(json: boolean): never {
  process.stderr.write(`error: ${INTERRUPTED_TWICE}\n`);
  if (json) {
    const error = { code: 'INTERRUPTED', message: INTERRUPTED_TWICE };
    process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
  }
  process.exit(EXIT.interrupted);
}

/**
 * Holds SIGINT and SIGTERM until a command listens or {@link releaseInterrupts} is called: the
 * first is kept for that command; a second runs `onForce` (default: exit 130 at once), since the
 * user asked twice.
 */
export function holdInterrupts(onForce: () => void = () => process.exit(EXIT.interrupted)): void {
  if (held) return;
  const state: Held = {
    signal: null,
    handler: (signal) => {
      if (state.signal === null) state.signal = signal;
      else onForce();
    },
  };
  for (const name of SIGNALS) process.on(name, state.handler);
  held = state;
}

/**
 * Stops holding signals (the default again: a signal ends the process). Returns the signal held
 * meanwhile, if one arrived.
 */
export function releaseInterrupts(): NodeJS.Signals | null {
  if (!held) return null;
  for (const name of SIGNALS) process.off(name, held.handler);
  const { signal } = held;
  held = null;
  return signal;
}

/**
 * For a command that does not listen for signals itself: the first SIGINT or SIGTERM runs
 * `onSignal` (which reports the interruption and exits), instead of the default, which killed the
 * process with nothing printed, not even `--json`'s error document. Returns how to stop.
 */
export function exitOnInterrupt(onSignal: (signal: NodeJS.Signals) => void): () => void {
  for (const name of SIGNALS) process.on(name, onSignal);
  return () => {
    for (const name of SIGNALS) process.off(name, onSignal);
  };
}

/** Commands whose action listens for signals itself (`run`, `serve`). */
const listening = new WeakSet<object>();

/** Marks a command whose action calls {@link listenForInterrupt}: signals stay held until it does. */
export function markListening(command: object): void {
  listening.add(command);
}

/** Whether a command's action listens for signals itself. */
export function isListening(command: object): boolean {
  return listening.has(command);
}

/**
 * Listens for SIGINT and SIGTERM, taking over a signal held since the start (which fires it at
 * once). On a second signal, `onForce` runs (default: exit 130 at once), since the user asked twice.
 */
export function listenForInterrupt(onForce: () => void = () => process.exit(EXIT.interrupted)): Interrupt {
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const signaled = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  let count = 0;
  let first: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      first = signal;
      resolve(signal);
    } else onForce();
  };
  // Listening first, then releasing: no moment without a handler, when a signal would kill.
  for (const name of SIGNALS) process.on(name, handler);
  const early = releaseInterrupts();
  if (early) handler(early);
  return {
    signaled,
    get fired() {
      return first !== null;
    },
    get signal() {
      return first;
    },
    dispose() {
      for (const name of SIGNALS) process.off(name, handler);
    },
  };
}
