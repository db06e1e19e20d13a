/**
 * `orchestrator purge --older-than <duration> --yes`: deletes the finished executions (completed,
 * failed, cancelled) of `--store` that completed longer ago than the duration, with their steps
 * and input, in short batches; pending, running and compensating ones are never deleted. The
 * metrics (`orchestrator metrics`, a node's `getMetrics`) keep counting them. Without `--yes` it
 * deletes nothing: it reports how many it would delete, in the shape of a real run's report
 * (`wouldDelete`, `dryRun: true`), and exits 2. Safe to run while nodes use the store.
 * @module
 */
import type { Command } from 'commander';
import { purgeFinished } from '../../engine/retention.js';
import { OrchestratorError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { PurgeCommandOptions } from '../commands/purge.js';
import { EXIT } from '../errors.js';
import { plural } from '../format.js';
import { setup } from '../globals.js';
import { StoreClient } from '../store-client.js';

/** Runs `purge`; its exit code. */
export async function purge(options: PurgeCommandOptions, command: Command): Promise<number> {
  const { globals, out } = setup(command);
  const before = new Date(Date.now() - options.olderThan * 1000);
  const what = `finished executions that completed before ${before.toISOString()}`;
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  const client = await StoreClient.open(globals.store, { key: globals.storeKey });
  try {
    const report = { before: before.toISOString(), store: globals.storeLabel };
    if (!options.yes) {
      const wouldDelete = Math.min(limit, await countFinished(client.store, before.getTime()));
      if (out.json) out.data({ dryRun: true, deleted: 0, wouldDelete, ...report });
      else out.line(`Would delete ${plural(wouldDelete, 'execution')} (${what}); nothing deleted`);
      out.problem('error: nothing deleted: pass --yes to delete them');
      return EXIT.usage;
    }
    const deleted = await purgeFinished(client.store, before.getTime(), limit);
    if (out.json) out.data({ dryRun: false, deleted, ...report });
    else out.line(`Deleted ${plural(deleted, 'execution')} (${what})`);
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** What a purge with no limit would delete. @throws OrchestratorError `UNSUPPORTED` for a store that cannot count it. */
function countFinished(store: Store, before: number): Promise<number> {
  if (!store.countFinished) {
    throw new OrchestratorError(
      'UNSUPPORTED',
      `The ${store.kind} store cannot count the executions a purge would delete: it does not implement countFinished`,
    );
  }
  return store.countFinished(before);
}
