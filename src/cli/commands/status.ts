/**
 * `orchestrator status`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/status.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { parseNonEmpty } from '../parse.js';

/** Registers `status`. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show the status of an execution')
    .argument('<executionId>', 'execution id (as `run` and `list` print it)', parseNonEmpty)
    .action(async (id: string, _options: object, command: Command) => {
      const { statusCommand } = await import('../actions/status.js');
      await statusCommand(id, command);
    });
}
