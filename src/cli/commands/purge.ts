/**
 * `orchestrator purge`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/purge.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { PURGE_MAX_LIMIT } from '../../engine/purge-limits.js';
import { markListening } from '../interrupt.js';
import { parseDuration, parsePositiveInt } from '../parse.js';

/** The options of `purge`. */
export interface PurgeCommandOptions {
  olderThan: number;
  limit?: number;
  yes?: boolean;
}

/** Registers `purge`. */
export function register(program: Command): void {
  const command = program
    .command('purge')
    .description(
      'delete finished executions that completed longer ago than a duration (metrics keep counting them)',
    )
    .requiredOption(
      '--older-than <duration>',
      'age of the executions to delete: 30d, 12h, 90m, 45s, 2w (plain numbers are seconds)',
      parseDuration,
    )
    .option(
      '--limit <n>',
      `delete at most this many (all unless given; at most ${PURGE_MAX_LIMIT})`,
      parsePositiveInt(PURGE_MAX_LIMIT),
    )
    .option('--yes', 'delete them (without it nothing is deleted: it says how many it would delete)')
    .action(async (options: PurgeCommandOptions, command: Command) => {
      const { purge } = await import('../actions/purge.js');
      process.exitCode = await purge(options, command);
    });
  // It stops between batches on Ctrl-C, saying what it deleted (`../actions/purge.ts`).
  markListening(command);
}
