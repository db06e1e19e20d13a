/**
 * `orchestrator workers`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/workers.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';

/** Registers `workers`. */
export function register(program: Command): void {
  program
    .command('workers')
    .description(
      'nodes sharing the store (heartbeat, load, state) and worker load, from the store (not remote workers: GET /v1/workers lists those)',
    )
    .action(async (_options: object, command: Command) => {
      const { workersCommand } = await import('../actions/workers.js');
      await workersCommand(command);
    });
}
