/**
 * `orchestrator list`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/list.ts`, loaded only when it runs.
 * @module
 */
import { type Command, Option } from 'commander';
import type { ExecutionState } from '../../types.js';
import { parseExecutionId, parseNonEmpty, parsePositiveInt, parseState } from '../parse.js';

/** The options of `list`. */
export interface ListOptions {
  status?: ExecutionState;
  workflow?: string;
  limit: number;
  before?: string;
  after?: string;
}

/** Default number of executions listed. */
export const DEFAULT_LIST_LIMIT = 20;

/** Registers `list`. */
export function register(program: Command): void {
  program
    .command('list')
    .description('list executions, newest first')
    .option(
      '--status <state>',
      'only executions in this state (pending, running, compensating, completed, failed, cancelled)',
      parseState,
    )
    .option('--workflow <id>', 'only executions of this workflow', parseNonEmpty)
    .option('--limit <n>', 'how many to show', parsePositiveInt(10_000), DEFAULT_LIST_LIMIT)
    .option(
      '--before <id>',
      'only executions older than this one (the next page after a list that ended with it)',
      parseExecutionId,
    )
    .addOption(
      new Option(
        '--after <id>',
        'only executions newer than this one, the nearest (the page before a list that began with it)',
      )
        .argParser(parseExecutionId)
        .conflicts('before'),
    )
    .action(async (options: ListOptions, command: Command) => {
      const { listCommand } = await import('../actions/list.js');
      await listCommand(options, command);
    });
}
