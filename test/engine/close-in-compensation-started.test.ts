/**
 * No compensation starts once `close()` was called on a durable store — also when the call comes
 * from a `compensation.started` listener, synchronously, just before the compensation's handler
 * would run (as for a `step.started` listener): the attempt is left as a shutdown leaves a running
 * one, and the next start runs the compensation once, the saga going on in reverse order.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { tempDir } from '../helpers/orchestrator.js';

describe('close() called from a compensation.started listener (SQLite)', () => {
  it('does not start the compensation whose start it announced', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const runs: string[] = [];
    const options = {
      store: `sqlite:${file}`,
      // One interruption would fail the compensation: the stop must be excused (a clean shutdown).
      maxStepInterruptions: 1,
      actions: {
        a: () => 'a',
        b: () => 'b',
        boom: () => {
          throw new Error('boom');
        },
      },
      compensations: {
        undo: (_output: unknown, ctx: { stepName: string; attempt: number }) => {
          runs.push(`undo ${ctx.stepName}`);
        },
      },
    };
    const orch = await createOrchestrator(options);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo' },
      { name: 'b', compensation: 'undo' },
      { name: 'boom' },
    ]);
    let closing: Promise<void> | null = null;
    orch.on('compensation.started', (e) => {
      if (e.step === 'b' && closing === null) closing = orch.close({ grace: 5 });
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    while (closing === null) await new Promise((resolve) => setTimeout(resolve, 5));
    await closing;
    expect(runs).toEqual([]);

    const next = await createOrchestrator(options);
    try {
      const status = await next.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(status.status).toBe('failed');
      expect(runs).toEqual(['undo b', 'undo a']);
      expect(status.compensatedSteps).toEqual(['b', 'a']);
      // The attempt the close stopped before its handler ran counts as cut short by a clean
      // shutdown: excused, not one of maxStepInterruptions.
      expect(status.steps[1]?.compensation).toMatchObject({ status: 'completed', attempts: 2 });
    } finally {
      await next.close();
    }
  });
});
