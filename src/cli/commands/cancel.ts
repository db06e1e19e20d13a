/**
 * `orchestrator cancel`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/cancel.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { parseNonEmpty, parseSeconds } from '../parse.js';

/** The options of `cancel`. */
export interface CancelOptions {
  handlers?: string;
  timeout: number;
}

/** Seconds `cancel` waits for the execution to end cancelled. */
export const DEFAULT_CANCEL_TIMEOUT = 60;

/** Registers `cancel`. */
export function register(program: Command): void {
  program
    .command('cancel')
    .description('cancel a pending or running execution (its completed steps are compensated)')
    .argument('<executionId>', 'execution id', parseNonEmpty)
    .option(
      '--handlers <module>',
      'handlers module, for compensations when this process has to take the execution over',
      parseNonEmpty,
    )
    .option(
      '--timeout <seconds>',
      'how long to wait for the cancellation, in seconds',
      parseSeconds,
      DEFAULT_CANCEL_TIMEOUT,
    )
    .action(async (id: string, options: CancelOptions, command: Command) => {
      const { cancel } = await import('../actions/cancel.js');
      process.exitCode = await cancel(id, options, command);
    });
}
