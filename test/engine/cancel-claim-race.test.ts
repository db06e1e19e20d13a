/**
 * cancelWorkflow of an execution whose owner died: when its own takeover claim loses to another
 * node's (or to this node's own round) just as the dead owner's lease runs out, the winner applies
 * the stored request; the cancel must wait for that outcome, not answer false because the first
 * owner's lease is over (the race the cluster tests hit now and then).
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { heldExecution } from '../store/records.js';

describe('cancelWorkflow when another claim wins the takeover', () => {
  it('waits for the node that took the execution over to apply the request, and answers true', async () => {
    const clock = new FakeClock();
    const url = tempSqliteUrl();
    const orch = await withOrchestrator({
      store: url,
      clock,
      leaseSeconds: 2,
      sweepInterval: 0.5,
      actions: { wait: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'wait' }]);
    const other = new SqliteStore(url.slice('sqlite:'.length));
    await other.init();
    try {
      // Held by a node that died with its lease still running for 2 s.
      await other.createExecution(
        heldExecution('x', 'w', 'dead-node', clock.now() + 2_000, { input: {}, transitions: 1 }),
      );
      const { store } = orch;
      const claim = store.claimExecutions.bind(store);
      let epochOfC: number | null = null;
      vi.spyOn(store, 'claimExecutions').mockImplementation(async (request) => {
        // This node's own rounds leave it alone; its takeover for the cancel loses to node C.
        if (!request.ids) {
          return claim({
            ...request,
            skip: [...(request.skip ?? []), { workflowId: 'w', version: 1, compensates: false }],
          });
        }
        const [won] = await other.claimExecutions({
          owner: 'node-c',
          leaseUntil: request.now + 2_000,
          now: request.now,
          limit: 1,
          ids: request.ids,
        });
        if (won) epochOfC = won.epoch;
        return [];
      });
      let answer: boolean | null = null;
      const cancelling = orch.workflowEngine.cancelWorkflow('x').then((a) => {
        answer = a;
      });
      // Past the dead owner's lease: node C takes it over (this node's claim loses).
      for (let i = 0; i < 25 && epochOfC === null; i++) await clock.advance(100);
      expect(epochOfC).not.toBeNull();
      await clock.advance(500);
      expect(answer).toBeNull();
      // Node C applies the stored request.
      await other.update({
        id: 'x',
        epoch: epochOfC!,
        set: { status: 'cancelled', completedAt: clock.now() },
      });
      for (let i = 0; i < 10 && answer === null; i++) await clock.advance(100);
      await cancelling;
      expect(answer).toBe(true);
    } finally {
      await other.close();
    }
  });
});
