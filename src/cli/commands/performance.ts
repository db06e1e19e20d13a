/**
 * `orchestrator performance`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/performance.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { DEFAULT_STORED_RUNS, MAX_STORED_RUNS } from '../../performance/stored-performance.js';
import { parseNonEmpty, parsePositiveInt } from '../parse.js';

/** The largest `--slow-threshold`: a day, in ms. */
const MAX_SLOW_THRESHOLD_MS = 86_400_000;

/** Registers `performance`. */
export function register(program: Command): void {
  program
    .command('performance')
    .description(
      "where a workflow's time goes, from the newest finished executions in the store: execution and step times, bottleneck, suggestions",
    )
    .argument('<workflowId>', 'the workflow', parseNonEmpty)
    .option(
      '--limit <n>',
      `finished executions to read, newest first (default ${DEFAULT_STORED_RUNS}, at most ${MAX_STORED_RUNS})`,
      parsePositiveInt(MAX_STORED_RUNS),
    )
    .option(
      '--slow-threshold <ms>',
      'executions averaging above this get suggestions (default 1000, as the config)',
      parsePositiveInt(MAX_SLOW_THRESHOLD_MS),
    )
    .action(
      async (workflowId: string, options: { limit?: number; slowThreshold?: number }, command: Command) => {
        const { performanceCommand } = await import('../actions/performance.js');
        await performanceCommand(workflowId, options, command);
      },
    );
}
