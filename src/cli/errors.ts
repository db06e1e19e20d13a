/**
 * CLI errors and how every error maps to an exit code and a one-line message.
 * Exit codes: 0 success, 1 failure (an execution that did not complete, a runtime error),
 * 2 usage error (bad arguments, files, JSON or definitions), 130 interrupted (Ctrl-C).
 * @module
 */
import { CommanderError } from 'commander';
import { OrchestratorError, ValidationError } from '../errors.js';
import { EXIT } from './exit-codes.js';

export { EXIT };

/** An error the CLI reports as a one-line message with its own exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;
  constructor(message: string, options: { exitCode?: number; code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? EXIT.failed;
    this.code = options.code ?? 'CLI_ERROR';
  }
}

/** Bad arguments, a missing or malformed file, bad JSON: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.usage, code: 'USAGE' });
    this.name = 'UsageError';
  }
}

/** What the CLI prints and returns for an error. */
export interface ErrorReport {
  exitCode: number;
  code: string;
  message: string;
  /** Commander already printed its own message. */
  printed: boolean;
}

/** Classifies any thrown value into an exit code and a message. */
export function reportFor(error: unknown): ErrorReport {
  if (error instanceof CommanderError) {
    // Help (`--help`, `help [command]`) and `--version` exit 0; commander's `commander.help` with
    // a non-zero code is the help it printed to stderr because no command was given.
    const quiet =
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      (error.code === 'commander.help' && error.exitCode === 0);
    const message =
      error.code === 'commander.help'
        ? 'a command is required (see orchestrator --help)'
        : error.message.replace(/^error: /, '');
    return { exitCode: quiet ? EXIT.ok : EXIT.usage, code: 'USAGE', message, printed: true };
  }
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, code: error.code, message: error.message, printed: false };
  }
  if (error instanceof ValidationError) {
    return { exitCode: EXIT.usage, code: error.code, message: error.message, printed: false };
  }
  if (error instanceof OrchestratorError) {
    return { exitCode: EXIT.failed, code: error.code, message: error.message, printed: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.failed, code: 'INTERNAL', message, printed: false };
}
