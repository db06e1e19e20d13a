/**
 * `orchestrator performance`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/performance.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { MAX_SECONDS } from '../../definition/max-seconds.js';
import { DEFAULT_STORED_RUNS, MAX_STORED_RUNS } from '../../performance/stored-performance.js';
import { parseNonEmpty, parsePositiveInt } from '../parse.js';

/**
 * The largest `--slow-threshold`, in ms: the config's `slowThreshold` takes as much (1e9 s). It
 * was a day, so a threshold the config took was refused here.
 */
const MAX_SLOW_THRESHOLD_MS = MAX_SECONDS * 1000;

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
