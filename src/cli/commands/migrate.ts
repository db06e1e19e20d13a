/**
 * `orchestrator migrate`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/migrate.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';

/** Registers `migrate`. */
export function register(program: Command): void {
  program
    .command('migrate')
    .description('create the store if needed and apply its schema migrations')
    .action(async (_options: object, command: Command) => {
      const { migrateCommand } = await import('../actions/migrate.js');
      await migrateCommand(command);
    });
}
