/**
 * A compensation attempt cut short by a shutdown does not use up one of its retries when the next
 * process resumes it (as for action steps): with one retry, a first real failure is retried.
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
