/**
 * `orchestrator purge --older-than <duration> --yes`: deletes the finished executions (completed,
 * failed, cancelled) of `--store` that completed longer ago than the duration, with their steps
 * and input, in short batches; pending, running and compensating ones are never deleted. The
 * metrics (`orchestrator metrics`, a node's `getMetrics`) keep counting them. Without `--yes` it
 * deletes nothing and says what it would delete. Safe to run while nodes use the store.
 * @module
 */
import type { Command } from 'commander';
import { purgeFinished } from '../../engine/retention.js';
import type { PurgeCommandOptions } from '../commands/purge.js';
import { UsageError } from '../errors.js';
import { plural } from '../format.js';
import { setup } from '../globals.js';
import { StoreClient } from '../store-client.js';

/** Runs `purge`; its exit code. */
export async function purge(options: PurgeCommandOptions, command: Command): Promise<number> {
  const { globals, out } = setup(command);
  const before = new Date(Date.now() - options.olderThan * 1000);
  const what = `finished executions that completed before ${before.toISOString()}`;
  if (!options.yes) {
    throw new UsageError(`purge deletes the ${what} from ${globals.storeLabel}; pass --yes to delete them`);
  }
  const client = await StoreClient.open(globals.store, { key: globals.storeKey });
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
