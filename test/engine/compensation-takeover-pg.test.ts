/**
 * A PostgreSQL node stalls in the middle of a saga (its clock stands still: it renews nothing)
 * while a second node's clock passes the lease: the second node takes the execution over and goes
 * on from the stored position. The compensation stored as completed does not run again, the one
 * cut short runs again under the same idempotency key, and the rest follow in reverse order. The
 * stalled node, whose handler returns late, has its write refused and runs no further compensation.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type OrchestratorOptions, type StepContext } from '../../src/index.js';
import { anyStoreUrl } from '../helpers/all-stores.js';
import { finishWithClock, gate, memoryLogger, until, withOrchestrator } from '../helpers/orchestrator.js';

describe('a saga taken over by a second PostgreSQL node when the first one stalls', () => {
  it('finishes each compensation once, from where the first node stopped', async () => {
    const url = await anyStoreUrl('postgres');
    const stalledClock = new FakeClock();
    const liveClock = new FakeClock();
    const stalledInB = gate();
    const stalledReturns = gate();
    const liveInB = gate();
    const liveGoesOn = gate();
    const calls: string[] = [];
    const stalledLog = memoryLogger();
    const node = (name: string, clock: FakeClock): OrchestratorOptions => ({
      store: url,
      clock,
      nodeId: name,
      leaseSeconds: 2,
      sweepInterval: 0.5,
      ...(name === 'stalled' ? { logger: stalledLog } : {}),
      actions: {
        a: () => 'A',
        b: () => 'B',
        c: () => 'C',
        boom: () => {
          throw new Error('boom');
        },
      },
      compensations: {
        undo: async (output: unknown, ctx: StepContext) => {
          calls.push(`${name} ${ctx.stepName} ${String(output)} ${ctx.idempotencyKey} #${ctx.attempt}`);
          if (ctx.stepName !== 'b') return;
          if (name === 'stalled') {
            stalledInB.open();
            await stalledReturns.promise;
          } else {
            liveInB.open();
            await liveGoesOn.promise;
          }
        },
      },
    });
    const stalled = await withOrchestrator(node('stalled', stalledClock));
    await stalled.workflowEngine.defineWorkflow('order', [
      { name: 'a', compensation: 'undo' },
      { name: 'b', compensation: 'undo' },
      { name: 'c', compensation: 'undo' },
      { name: 'boom' },
    ]);
    const id = await stalled.workflowEngine.executeWorkflow('order');
    await stalledInB.promise;

    const live = await withOrchestrator(node('live', liveClock));
    const done = finishWithClock(live, liveClock, id, { stepMs: 200, realMs: 5 });
    await liveInB.promise;
    // The stalled node's handler returns now: its completion is refused, and it goes no further.
    stalledReturns.open();
    await until(() => stalledLog.lines.some((l) => l.msg?.includes('lease lost')));
    liveGoesOn.open();
    const status = await done;

    expect(calls).toEqual([
      `stalled c C ${id}:c:compensate #1`,
      `stalled b B ${id}:b:compensate #1`,
      `live b B ${id}:b:compensate #2`,
      `live a A ${id}:a:compensate #1`,
    ]);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ message: 'boom', step: 'boom' });
    expect(status.compensatedSteps).toEqual(['c', 'b', 'a']);
    expect(status.steps.map((s) => s.compensation?.status ?? null)).toEqual([
      'completed',
      'completed',
      'completed',
      null,
    ]);
  }, 30_000);
});
