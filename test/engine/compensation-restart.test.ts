/**
 * A compensation attempt cut short by a shutdown does not use up one of its retries when the next
 * process resumes it (as for action steps): with one retry, a first real failure is retried. An
 * attempt's time limit is the step's timeout, else the workflow's own.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type OrchestratorOptions } from '../../src/index.js';
import {
  finishWithClock,
  gate,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe('compensation retries across a restart', () => {
  it('an attempt interrupted by the shutdown does not use up a retry (as for action steps)', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const inUndo = gate();
    let phase: 'first' | 'second' = 'first';
    const calls: string[] = [];
    let secondRuns = 0;
    const opts = (): OrchestratorOptions => ({
      store,
      clock,
      retryAttempts: 1, // 1 run + 1 retry for each compensation
      actions: {
        a: () => 'a',
        boom: () => {
          throw new Error('boom');
        },
      },
      compensations: {
        undo: async (_o, ctx) => {
          if (phase === 'first') {
            calls.push('interrupted');
            inUndo.open();
            await untilAborted(ctx.signal);
            return;
          }
          secondRuns++;
          calls.push(`run${secondRuns}`);
          if (secondRuns === 1) throw new Error('transient');
        },
      },
    });
    const first = await withOrchestrator(opts());
    await first.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo' }, { name: 'boom' }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await inUndo.promise;
    await first.close();
    phase = 'second';
    const second = await withOrchestrator(opts());
    const status = await finishWithClock(second, clock, id, { stepMs: 100 });
    expect(calls).toEqual(['interrupted', 'run1', 'run2']);
    expect(status.compensatedSteps).toEqual(['a']);
  });
});

describe('a compensation attempt time limit', () => {
  it("is the workflow's own timeout when the step has none (not the config's workflowTimeout)", async () => {
    const orch = await withOrchestrator({
      retryAttempts: 0,
      actions: {
        a: () => 'a',
        boom: () => {
          throw new Error('boom');
        },
      },
      // Ignores its signal's abort: only the attempt's time limit ends it.
      compensations: { undo: () => new Promise(() => undefined) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo' }, { name: 'boom' }], {
      timeout: 0.3,
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    // The config's workflowTimeout is 300 s: before, the compensation waited that long.
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('failed');
    expect(status.steps[0]?.compensation).toMatchObject({
      status: 'failed',
      error: { code: 'STEP_TIMEOUT' },
    });
  });
});
