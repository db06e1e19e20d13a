/**
 * A cancel in flight when `close` is called may claim an orphan after the close released this
 * process's leases: the execution must still resume at once on the next start, not stay leased to
 * the closed process until its lease runs out.
 */
import { expect, it } from 'vitest';
import { type ClaimRequest, SqliteStore } from '../../src/index.js';
import {
  gate,
  silentLogger,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/**
 * A store whose claims by id wait until the leases were released (the close's last writes), or
 * 300 ms at most: a close that waits for the claim releases nothing before it ends.
 */
class LateClaimStore extends SqliteStore {
  readonly released = gate();
  readonly claimWaiting = gate();
  override async claimExecutions(request: ClaimRequest) {
    if (request.ids) {
      this.claimWaiting.open();
      await Promise.race([this.released.promise, new Promise((resolve) => setTimeout(resolve, 300))]);
    }
    return super.claimExecutions(request);
  }
  override async releaseLeases(owner: string, ids?: readonly string[]) {
    await super.releaseLeases(owner, ids);
    if (!ids) this.released.open();
  }
}

it('a cancel that claims an orphan while the orphan-holding process closes leaves it resumable at once', async () => {
  const url = tempSqliteUrl();
  const path = url.slice('sqlite:'.length);
  const hang = (_i: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal);
  const store = new LateClaimStore(path);
  // Its rounds claim nothing during the test: only the cancel does.
  const closing = await withOrchestrator({
    store,
    logger: silentLogger,
    actions: { hang },
    sweepInterval: 60,
    leaseSeconds: 180,
  });
  await closing.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
  // An execution of another process on the same file, left behind when that process closed.
  const other = await withOrchestrator({ store: url, logger: silentLogger, actions: { hang } });
  const id = await other.workflowEngine.executeWorkflow('w');
  await other.close();

  const cancel = closing.workflowEngine.cancelWorkflow(id).catch((error: unknown) => error);
  await store.claimWaiting.promise;
  await closing.close();
  await cancel;

  const next = await withOrchestrator({ store: url, logger: silentLogger, actions: { hang: () => 'done' } });
  const status = await next.workflowEngine.waitForCompletion(id, { timeout: 3 });
  expect(['cancelled', 'completed']).toContain(status.status);
});
