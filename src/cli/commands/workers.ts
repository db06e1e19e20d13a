/**
 * `orchestrator workers`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/workers.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { parseNonEmpty } from '../parse.js';

/** The options of `workers`. */
export interface WorkersOptions {
  /** `--config`: the JSON config file whose `alerts.imbalanceThreshold` (and `workers`, `store`) apply. */
  config?: string;
}

/** Registers `workers`. */
export function register(program: Command): void {
  program
    .command('workers')
    .description(
      "nodes sharing the store (heartbeat, load, state), worker load and each live node's remote workers, as of its last heartbeat, from the store",
    )
    .option(
      '--config <file>',
      "JSON config file (as serve's): its alerts.imbalanceThreshold judges the balance, its workers are listed when no live node advertises its own, its store is read unless --store",
      parseNonEmpty,
    )
    .action(async (options: WorkersOptions, command: Command) => {
      const { workersCommand } = await import('../actions/workers.js');
      await workersCommand(options, command);
    });
}
