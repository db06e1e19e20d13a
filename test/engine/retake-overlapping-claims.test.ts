/**
 * Two claims of this node may take up the same given-up execution at once (a housekeeping round
 * and a cancel's claim): the second claim's newer epoch came while the first was still reading
 * the execution to run it, and was dropped, so the first ran it under its older epoch, lost its
 * lease to this very node at its first write, and stopped. Nobody ran it any more while this node
 * renewed its lease for as long as it lived: stuck `running` (or `compensating`), its
 * `waitForCompletion` never answered (seen in a soak with a store failing 3 % of its calls).
 */
import { expect, it, vi } from 'vitest';
import { givenUpExecution } from '../helpers/given-up-execution.js';
import { gate } from '../helpers/orchestrator.js';

it('runs the execution under the newest claim, to its end', async () => {
  let down = true;
  const { orch, clock, id } = await givenUpExecution(() => down);
  const { store } = orch;
  down = false;

  // The first claim naming it waits (A), the second too (B); the first one's read of the execution
  // to run it waits (C) until the second claimed it.
  const claim = store.claimExecutions.bind(store);
  const read = store.getExecution.bind(store);
  const [reachedA, releaseA, reachedB, releaseB, reachedC, releaseC] = [
    gate(),
    gate(),
    gate(),
    gate(),
    gate(),
    gate(),
  ];
  let claims = 0;
  vi.spyOn(store, 'claimExecutions').mockImplementation(async (request) => {
    if (request.ids?.includes(id)) {
      claims++;
      if (claims === 1) {
        reachedA.open();
        await releaseA.promise;
      } else if (claims === 2) {
        reachedB.open();
        await releaseB.promise;
      }
    }
    return claim(request);
  });
  let reads = 0;
  vi.spyOn(store, 'getExecution').mockImplementation(async (eid) => {
    if (eid === id && claims >= 2 && reads++ === 0) {
      reachedC.open();
      await releaseC.promise;
    }
    return read(eid);
  });

  // Housekeeping takes it up again; a cancel's claim does too, before the first claim answered.
  void clock.advance(1_000);
  await reachedA.promise;
  const cancelled = orch.workflowEngine.cancelWorkflow(id);
  await reachedB.promise;
  releaseA.open();
  await reachedC.promise;
  releaseB.open();
  // The second claim has answered (its epoch is the newer one) before the first runs it.
  await vi.waitFor(async () => expect((await read(id))?.execution.epoch).toBe(3));
  releaseC.open();

  await vi.waitFor(
    async () => {
      await clock.advance(1_000);
      expect(['completed', 'cancelled']).toContain((await read(id))?.execution.status);
    },
    { timeout: 5_000, interval: 20 },
  );
  // The cancel waited for it (it never answered before).
  await expect(cancelled).resolves.toBeTypeOf('boolean');
  expect(orch.getMetrics().executions).toMatchObject({ total: 1, running: 0 });
});
