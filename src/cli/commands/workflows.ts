/**
 * `orchestrator workflows`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/workflows.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { parseNonEmpty, parsePositiveInt } from '../parse.js';

/** The largest `--version` taken (versions are PostgreSQL integers). */
const MAX_VERSION = 2_147_483_647;

/** Registers `workflows`. */
export function register(program: Command): void {
  program
    .command('workflows')
    .description(
      'the workflows defined in the store, with their versions and executions; with an id, its definition as JSON',
    )
    .argument('[workflowId]', "show this workflow's definition", parseNonEmpty)
    .argument('[version]', 'of this version (default: the latest)', parsePositiveInt(MAX_VERSION))
    .action(
      async (
        workflowId: string | undefined,
        version: number | undefined,
        _options: object,
        command: Command,
      ) => {
        const { workflowsCommand } = await import('../actions/workflows.js');
        await workflowsCommand(workflowId, version, command);
      },
    );
}
