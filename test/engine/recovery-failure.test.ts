/**
 * A `createOrchestrator` whose recovery fails partway (the store fails after some executions were
 * resumed) leaves nothing behind: the executions it resumed are stopped (their handlers' signals
 * abort), their leases are released (the next start resumes them at once, not after a lease), the
 * store is closed, and the store's error is what it rejects with.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, SqliteStore } from '../../src/index.js';
import { gate, tempDir, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

describe('a recovery that fails partway', () => {
  it('stops what it resumed, releases its leases, closes the store and rethrows', async () => {
    const file = join(tempDir(), 'recovery-failure.sqlite');
    const url = `sqlite:${file}`;
    // Two executions left running by a process that closed.
    const first = await withOrchestrator({
      store: url,
      actions: { work: (_i, ctx) => untilAborted(ctx.signal) },
    });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const ids = [
      await first.workflowEngine.executeWorkflow('w'),
      await first.workflowEngine.executeWorkflow('w'),
    ];
    await first.close();

    // The next start resumes the first, then the store fails while it reads the second.
    const store = new SqliteStore(file);
    const started = gate();
    const signals: AbortSignal[] = [];
    const read = store.getExecution.bind(store);
    let reads = 0;
    store.getExecution = async (id) => {
      reads++;
      if (reads === 2) {
        await started.promise;
        throw new Error('disk gone');
      }
      return read(id);
    };
    const failed = createOrchestrator({
      store,
      actions: {
        work: (_i, ctx) => {
          signals.push(ctx.signal);
          started.open();
          return untilAborted(ctx.signal);
        },
      },
    });
    await expect(failed).rejects.toThrow('disk gone');
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);

    // Nothing of that start holds the executions: a new start runs both at once.
    const next = await withOrchestrator({ store: url, actions: { work: () => 'done' } });
    for (const id of ids) {
      const status = await next.workflowEngine.waitForCompletion(id, { timeout: 5 });
      expect(status.status).toBe('completed');
    }
  });
});
