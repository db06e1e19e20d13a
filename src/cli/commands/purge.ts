/**
 * `orchestrator purge --older-than <duration> --yes`: deletes the finished executions (completed,
 * failed, cancelled) of `--store` that completed longer ago than the duration, with their steps
 * and input, in short batches; pending, running and compensating ones are never deleted. The
 * metrics (`orchestrator metrics`, a node's `getMetrics`) keep counting them. Without `--yes` it
 * deletes nothing and says what it would delete. Safe to run while nodes use the store.
 * @module
 */
import type { Command } from 'commander';
import { PURGE_MAX_LIMIT, purgeFinished } from '../../engine/retention.js';
import { UsageError } from '../errors.js';
import { plural } from '../format.js';
import { type Globals, setup } from '../globals.js';
import type { Output } from '../output.js';
import { parseDuration, parsePositiveInt } from '../parse.js';
import { StoreClient } from '../store-client.js';

interface PurgeCommandOptions {
  olderThan: number;
  limit?: number;
  yes?: boolean;
}

/** Registers `purge`. */
export function register(program: Command): void {
  program
    .command('purge')
    .description(
      'delete finished executions that completed longer ago than a duration (metrics keep counting them)',
    )
    .requiredOption(
      '--older-than <duration>',
      'age of the executions to delete: 30d, 12h, 90m, 45s, 2w',
      parseDuration,
    )
    .option('--limit <n>', 'delete at most this many', parsePositiveInt(PURGE_MAX_LIMIT))
    .option('--yes', 'delete them (without it nothing is deleted)')
    .action(async (options: PurgeCommandOptions, command: Command) => {
      const { globals, out } = setup(command);
      process.exitCode = await purge(options, globals, out);
    });
}

async function purge(options: PurgeCommandOptions, globals: Globals, out: Output): Promise<number> {
  const before = new Date(Date.now() - options.olderThan * 1000);
  const what = `finished executions that completed before ${before.toISOString()}`;
  if (!options.yes) {
    throw new UsageError(`purge deletes the ${what} from ${globals.storeLabel}; pass --yes to delete them`);
  }
  const client = await StoreClient.open(globals.store);
  try {
    const deleted = await purgeFinished(
      client.store,
      before.getTime(),
      options.limit ?? Number.MAX_SAFE_INTEGER,
    );
    if (out.json) out.data({ deleted, before: before.toISOString(), store: globals.storeLabel });
    else out.line(`Deleted ${plural(deleted, 'execution')} (${what})`);
    return 0;
  } finally {
    await client.close();
  }
}
