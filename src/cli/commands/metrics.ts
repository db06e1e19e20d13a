/**
 * `orchestrator metrics`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/metrics.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { parseNonEmpty } from '../parse.js';

/** Registers `metrics`. */
export function register(program: Command): void {
  program
    .command('metrics')
    .description('execution counts and rates computed from the store')
    .option('--workflow <id>', 'only this workflow', parseNonEmpty)
    .action(async (options: { workflow?: string }, command: Command) => {
      const { metricsCommand } = await import('../actions/metrics.js');
      await metricsCommand(options, command);
    });
}
