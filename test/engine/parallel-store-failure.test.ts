/**
 * A parallel step whose execution's write fails (the node gives the execution up and takes it up
 * again from the store) stops the branches still running: their signals abort, so a branch does not
 * run on unseen next to its own rerun.
 */
import { describe, expect, it, vi } from 'vitest';
import { silentLogger, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

describe('a parallel step whose write fails', () => {
  it('aborts the signals of its running branches before they run again', async () => {
    let failures = 1;
    const runs: { signal: AbortSignal; abortedBeforeNext: boolean }[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      sweepInterval: 0.05,
      leaseSeconds: 1,
      logger: silentLogger,
      actions: {
        fast: () => 'ok',
        slow: async (_input, ctx) => {
          const previous = runs[runs.length - 1];
          if (previous) previous.abortedBeforeNext = previous.signal.aborted;
          runs.push({ signal: ctx.signal, abortedBeforeNext: false });
          // The first run waits for its signal; the rerun completes.
          if (runs.length === 1) await untilAborted(ctx.signal);
          return 'slow';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      {
        name: 'p',
        parallel: [
          { name: 'b', action: 'slow' },
          { name: 'a', action: 'fast' },
        ],
      },
    ]);
    const update = orch.store.update.bind(orch.store);
    vi.spyOn(orch.store, 'update').mockImplementation((u) => {
      if (failures === 0 || !u.steps?.some((s) => s.name === 'a' && s.status === 'completed'))
        return update(u);
      failures--;
      return Promise.reject(new Error('connection lost'));
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(runs).toHaveLength(2);
    expect(runs[0]?.abortedBeforeNext).toBe(true);
    expect(runs[0]?.signal.reason).toMatchObject({ code: 'CANCELLED' });
  });
});
