/**
 * `compensation.started` says how many earlier attempts of the compensation their process cut
 * short (`interruptions`), as `step.started` does for a step: those are no retries, and without it
 * a listener (the CLI's progress) took the attempt after a restart for a retry.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type OrchestratorEvents, type OrchestratorOptions } from '../../src/index.js';
import {
  finishWithClock,
  gate,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe('compensation.started after a restart (sqlite store)', () => {
  it('carries interruptions for the attempts the restart cut short', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const undoing = gate();
    let phase: 'first' | 'second' = 'first';
    const started: OrchestratorEvents['compensation.started'][] = [];
    const options = (): OrchestratorOptions => ({
      store,
      clock,
      actions: {
        book: () => 'booked',
        boom: () => {
          throw new Error('out of stock');
        },
      },
      compensations: {
        unbook: async (_output, ctx) => {
          if (phase === 'first') {
            undoing.open();
            await untilAborted(ctx.signal);
            return;
          }
          if (ctx.attempt === 2) throw new Error('booking service busy');
        },
      },
      on: { 'compensation.started': (e) => started.push(e) },
    });
    const first = await withOrchestrator(options());
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'book', compensation: 'unbook' },
      { name: 'boom' },
    ]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await undoing.promise;
    await first.close();

    phase = 'second';
    const second = await withOrchestrator(options());
    const status = await finishWithClock(second, clock, id);
    expect(status.steps[0]?.compensation).toMatchObject({ status: 'completed', attempts: 3 });
    expect(started.map(({ attempt, interruptions }) => ({ attempt, interruptions }))).toEqual([
      { attempt: 1, interruptions: undefined },
      { attempt: 2, interruptions: 1 },
      { attempt: 3, interruptions: 1 },
    ]);
    expect(started[0]).not.toHaveProperty('interruptions');
  });
});
