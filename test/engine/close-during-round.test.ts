/**
 * `close()` without a grace first waits for a housekeeping round under way (it may be claiming
 * executions) before it stops the running ones. Meanwhile no step may start: from the moment
 * `close()` is called the node takes no more work, and an execution stops at its next step, to
 * resume there on the next start. (Found by the saga crash fuzz test,
 * test/recovery/saga-fuzz.test.ts.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, SqliteStore } from '../../src/index.js';
import { holdableRounds } from '../helpers/held-round.js';
import { gate, tempDir } from '../helpers/orchestrator.js';

describe('close() while a housekeeping round is under way', () => {
  it('starts no further step meanwhile; the next start runs it', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const store = new SqliteStore(file);
    // Keeps close() waiting for the housekeeping round under way until released.
    const round = holdableRounds(store);
    const book = gate<string>();
    const calls: string[] = [];
    const orch = await createOrchestrator({
      store,
      sweepInterval: 0.01,
      actions: {
        book: () => book.promise,
        pay: () => calls.push('pay'),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'book' }, { name: 'pay' }]);
    const booked = new Promise<void>((resolve) => orch.once('step.completed', () => resolve()));
    const id = await orch.workflowEngine.executeWorkflow('w');
    await round.hold();
    const closing = orch.close();
    book.open('booked');
    await booked;
    // Time for `pay` to start, had the runner gone on.
    await new Promise((resolve) => setTimeout(resolve, 50));
    round.release();
    await closing;
    expect(calls).toEqual([]);

    const next = await createOrchestrator({
      store: `sqlite:${file}`,
      actions: { book: () => 'again', pay: () => calls.push('pay') },
    });
    const status = await next.workflowEngine.waitForCompletion(id, { timeout: 10 });
    await next.close();
    expect(status.status).toBe('completed');
    expect(calls).toEqual(['pay']);
  });
});
