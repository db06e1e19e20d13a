/**
 * `orchestrator purge --older-than <duration> --yes`: deletes the finished executions (completed,
 * failed, cancelled) of `--store` that completed longer ago than the duration, with their steps
 * and input, in short batches; pending, running and compensating ones are never deleted. The
 * metrics (`orchestrator metrics`, a node's `getMetrics`) keep counting them. Without `--yes` it
 * deletes nothing: it reports how many it would delete, in the shape of a real run's report
 * (`wouldDelete`, `dryRun: true`), and exits 2 — or 0 when there is nothing to delete. Safe to run while nodes use the store. Ctrl-C
 * lets the batch under way end and starts no other: it exits 130 naming what it deleted.
 * @module
 */
import type { Command } from 'commander';
import { type PurgeProgress, purgeFinished } from '../../engine/retention.js';
import { ClosedError, OrchestratorError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { PurgeCommandOptions } from '../commands/purge.js';
import { CliError, EXIT } from '../errors.js';
import { plural } from '../format.js';
import { setup } from '../globals.js';
import { INTERRUPTED_TWICE, listenForInterrupt } from '../interrupt.js';
import { StoreClient } from '../store-client.js';

/** Runs `purge`; its exit code. */
export async function purge(options: PurgeCommandOptions, command: Command): Promise<number> {
  const { globals, out } = setup(command);
  const before = new Date(Date.now() - options.olderThan * 1000);
  const what = `finished executions that completed before ${before.toISOString()}`;
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  // A second Ctrl-C exits at once, naming what was deleted so far.
  const progress: PurgeProgress = { deleted: 0, batches: 0 };
  const interrupt = listenForInterrupt(() => {
    out.error('INTERRUPTED', `${INTERRUPTED_TWICE} (${purged(progress)} deleted so far)`);
    process.exit(EXIT.interrupted);
  });
  // Until the batches start, Ctrl-C ends it at once (nothing is deleted yet): opening the store
  // may wait for a lock, counting may take long.
  let deleting = false;
  void interrupt.signaled.then((signal) => {
    if (deleting) return;
    out.error('INTERRUPTED', stoppedAfter(signal, progress).message);
    process.exit(EXIT.interrupted);
  });
  const client = await StoreClient.open(globals.store, { key: globals.storeKey }).catch((error: unknown) => {
    interrupt.dispose();
    throw error;
  });
  try {
    const report = { before: before.toISOString(), store: globals.storeLabel };
    if (!options.yes) {
      const wouldDelete = Math.min(limit, await countFinished(client.store, before.getTime()));
      if (out.json) out.data({ dryRun: true, deleted: 0, wouldDelete, ...report });
      else if (wouldDelete === 0) out.line(nothingToPurge(before));
      else out.line(`Would delete ${plural(wouldDelete, 'execution')} (${what}); nothing deleted`);
      // With nothing to delete, --yes would change nothing: no refusal to report.
      if (wouldDelete === 0) return EXIT.ok;
      out.problem('error: nothing deleted: pass --yes to delete them');
      return EXIT.usage;
    }
    // Now Ctrl-C lets the batch under way end (each is whole) and starts no other.
    deleting = true;
    if (interrupt.fired) throw stoppedAfter(await interrupt.signaled, progress);
    let deleted: number;
    try {
      deleted = await purgeFinished(client.store, before.getTime(), limit, () => interrupt.fired, progress);
    } catch (error) {
      if (interrupt.fired && error instanceof ClosedError)
        throw stoppedAfter(await interrupt.signaled, progress);
      throw error;
    }
    if (out.json) out.data({ dryRun: false, deleted, ...report });
    else if (deleted === 0) out.line(nothingToPurge(before));
    else out.line(`Deleted ${plural(deleted, 'execution')} (${what})`);
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    await client.close();
  }
}

/** The line of a purge that finds nothing to delete. */
function nothingToPurge(before: Date): string {
  return `Nothing to purge: no finished executions completed before ${before.toISOString()}`;
}

/** What a purge deleted so far: `500 executions in 1 batch`. */
function purged({ deleted, batches }: PurgeProgress): string {
  return `${plural(deleted, 'execution')} in ${plural(batches, 'batch', 'batches')}`;
}

/** The error of a purge a signal stopped, naming how far it got (its batches stay deleted). */
function stoppedAfter(signal: NodeJS.Signals, progress: PurgeProgress): CliError {
  const done =
    progress.batches === 0
      ? 'before it deleted anything'
      : `after deleting ${purged(progress)}; the other finished executions it would delete are still there: run it again to go on`;
  return new CliError(`interrupted (${signal}): purge stopped ${done}`, {
    exitCode: EXIT.interrupted,
    code: 'INTERRUPTED',
  });
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
