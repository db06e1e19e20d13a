/**
 * `waitForCompletion(id, { timeout })` whose timeout passes while the execution's final state is
 * being written (set in memory, the store's write under way) returns that final state: only the
 * last write is left, so it is awaited whatever the timeout (as for a call that arrives then).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { holdingStore } from '../helpers/holding-store.js';
import { gate, tempDir } from '../helpers/orchestrator.js';

describe('waitForCompletion while the final state is being written', () => {
  it('returns the final state though its timeout passed during that write', async () => {
    const { store, reached, release } = holdingStore(join(tempDir(), 'store.sqlite'), (u) =>
      ['completed', 'failed', 'cancelled'].includes(u.set?.status ?? ''),
    );
    const clock = new FakeClock();
    const go = gate();
    const orch = await createOrchestrator({
      store,
      clock,
      actions: { work: () => go.promise.then(() => 'done') },
    });
    try {
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
      const id = await orch.workflowEngine.executeWorkflow('w');
      const waited = orch.workflowEngine.waitForCompletion(id, { timeout: 1 }).then(
        (status) => ({ status }),
        (error: unknown) => ({ error }),
      );
      go.open();
      await reached;
      // The wait's timer fires while the completed state is held in the store's write.
      await clock.advance(2000);
      release();
      const result = await waited;
      expect(result).toMatchObject({ status: { status: 'completed', outputData: { work: 'done' } } });
    } finally {
      release();
      await orch.close();
    }
  });
});
