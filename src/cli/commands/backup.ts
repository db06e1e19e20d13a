/**
 * `orchestrator backup <file>`: its name, arguments, options and help, all that `--help` and
 * option parsing need; what it does is in `../actions/backup.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { parseNonEmpty } from '../parse.js';

/** Registers `backup`. */
export function register(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite store to a new file, consistently, while it runs')
    .argument('<file>', 'the new file to write (one that exists is refused)', parseNonEmpty)
    .action(async (file: string, _options: object, command: Command) => {
      const { backupCommand } = await import('../actions/backup.js');
      await backupCommand(file, command);
    });
}
