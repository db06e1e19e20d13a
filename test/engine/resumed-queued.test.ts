/**
 * Executions resumed after a restart that wait for a slot (the node has fewer slots than
 * unfinished executions): they ran before, so cancelling one, or its workflow timeout passing
 * while it waits, must not wait for a slot — running handlers may hold every slot for long —
 * and must compensate the steps that completed before the restart. Their compensations call the
 * services the limit protects, though: one runs past the limit at a time, the others in slots.
 */
import { describe, expect, it } from 'vitest';
import { type ActionHandler, FakeClock } from '../../src/index.js';
import {
  answerWithin,
  driveClock,
  finishWithClock,
  gate,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

const hang: ActionHandler = (_input, ctx) => untilAborted(ctx.signal);

/**
 * Two executions stopped by a restart in their second step (the first, `a`, has a compensation),
 * resumed by a node with one slot: the first runs, the second waits in the queue.
 */
async function twoResumed(timeouts: [number, number]) {
  const store = tempSqliteUrl();
  const clock = new FakeClock();
  const undone: string[] = [];
  const options = {
    store,
    clock,
    compensations: {
      undo: (_input: unknown, ctx: { executionId: string }) => {
        undone.push(ctx.executionId);
      },
    },
  };
  const first = await withOrchestrator({
    ...options,
    maxConcurrentWorkflows: 2,
    actions: { a: () => 1, b: hang },
  });
  const ids: string[] = [];
  for (const timeout of timeouts) {
    await first.workflowEngine.defineWorkflow(
      `w${timeout}`,
      [{ name: 'a', compensation: 'undo' }, { name: 'b' }],
      {
        timeout,
      },
    );
    ids.push(await first.workflowEngine.executeWorkflow(`w${timeout}`));
  }
  await clock.advance(100);
  await first.close();
  const second = await withOrchestrator({
    ...options,
    maxConcurrentWorkflows: 1,
    actions: { a: () => 1, b: hang },
  });
  expect(second.getLocalLoad()).toEqual({ running: 1, queued: 1 });
  return { second, clock, undone, running: ids[0]!, queued: ids[1]! };
}

describe('resumed executions waiting for a slot', () => {
  it('are cancelled at once, with the steps completed before the restart compensated', async () => {
    const { second, undone, running, queued } = await twoResumed([1000, 1000]);
    expect(await answerWithin(second.workflowEngine.cancelWorkflow(queued))).toBe(true);
    const status = await second.workflowEngine.getExecutionStatus(queued);
    expect(status?.status).toBe('cancelled');
    expect(status?.compensatedSteps).toEqual(['a']);
    expect(undone).toEqual([queued]);
    // The other one still runs, in the only slot.
    expect((await second.workflowEngine.getExecutionStatus(running))?.status).toBe('running');
    expect(second.getLocalLoad()).toEqual({ running: 1, queued: 0 });
  });

  it('time out while waiting with their completed steps compensated, counted once', async () => {
    const { second, clock, undone, queued } = await twoResumed([1000, 30]);
    const status = await finishWithClock(second, clock, queued, { stepMs: 1000 });
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(status.compensatedSteps).toEqual(['a']);
    expect(undone).toEqual([queued]);
    expect(second.getMetrics().executions).toMatchObject({ total: 2, running: 1, failed: 1 });
  });
});

describe('resumed executions winding down with compensations to run', () => {
  /**
   * Eight executions stopped by a restart in `b` (after `a`, which has a compensation), resumed
   * by a node with two slots: two run (hanging in `b`), six wait. `undo` is the compensation.
   */
  async function eightResumed(undo: (executionId: string) => Promise<void>) {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const options = {
      store,
      clock,
      actions: { a: () => 1, b: hang },
      compensations: { undo: (_input: unknown, ctx: { executionId: string }) => undo(ctx.executionId) },
    };
    const first = await withOrchestrator({ ...options, maxConcurrentWorkflows: 10 });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo' }, { name: 'b' }], {
      timeout: 30,
    });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await first.workflowEngine.executeWorkflow('w'));
    await clock.advance(100);
    await first.close();
    const second = await withOrchestrator({ ...options, maxConcurrentWorkflows: 2 });
    expect(second.getLocalLoad()).toEqual({ running: 2, queued: 6 });
    return { second, clock, ids };
  }

  it('compensate at most the limit past it at once, then in the slots as they free, not all at once', async () => {
    let live = 0;
    let most = 0;
    const release = gate();
    const undone: string[] = [];
    const { second, clock, ids } = await eightResumed(async (id) => {
      live++;
      most = Math.max(most, live);
      await release.promise;
      live--;
      undone.push(id);
    });
    // All eight pass their deadline.
    await clock.advance(31_000);
    await expect.poll(() => live).toBe(4);
    // The two in their slots and two past the limit; the four others wait for one of those.
    expect(second.getLocalLoad()).toEqual({ running: 4, queued: 4 });
    release.open();
    const statuses = await Promise.all(ids.map((id) => finishWithClock(second, clock, id)));
    expect(statuses.map((s) => [s.status, s.error?.code, s.compensatedSteps])).toEqual(
      ids.map(() => ['failed', 'WORKFLOW_TIMEOUT', ['a']]),
    );
    expect(undone.sort()).toEqual([...ids].sort());
    expect(most).toBe(4);
  });

  it('a compensation that hangs past the limit does not hold up the other cancels; a waiting cancel is stored', async () => {
    const release = gate();
    const { second, clock, ids } = await eightResumed(async (id) => {
      // The first queued one's compensation hangs; the others' return at once.
      if (id === ids[2]) await release.promise;
    });
    const queued = ids.slice(2);
    // Every cancel but the hung one's answers, the hung one taking one of the two lanes.
    const answers = queued.map((id) => second.workflowEngine.cancelWorkflow(id));
    const answered = await Promise.all(answers.slice(1).map((a) => driveClock(clock, a)));
    expect(answered).toEqual(queued.slice(1).map(() => true));
    expect(await answerWithin(answers[0]!, 100)).toBe('no answer after 100 ms');
    // Stored as requested while it waits: a crash now would not lose it.
    expect((await second.store.getExecution(ids[2]!))?.execution.cancelRequested).toBe(true);
    release.open();
    expect(await driveClock(clock, answers[0]!)).toBe(true);
  });

  it('a cancel waiting for a lane is stored once, not again by each housekeeping round that lists it', async () => {
    const release = gate();
    const { second, clock, ids } = await eightResumed(async (id) => {
      if (id === ids[2] || id === ids[3]) await release.promise;
    });
    // Two hung compensations take both lanes.
    const hung = [ids[2]!, ids[3]!].map((id) => second.workflowEngine.cancelWorkflow(id));
    await clock.advance(100);
    const stored: string[] = [];
    const requestCancel = second.store.requestCancel.bind(second.store);
    second.store.requestCancel = (id: string) => {
      stored.push(id);
      return requestCancel(id);
    };
    const waiting = second.workflowEngine.cancelWorkflow(ids[4]!);
    // Ten seconds of housekeeping rounds, each listing its stored request.
    for (let i = 0; i < 20; i++) await clock.advance(500);
    expect(stored.filter((id) => id === ids[4])).toEqual([ids[4]]);
    release.open();
    expect(await driveClock(clock, waiting)).toBe(true);
    expect(await Promise.all(hung.map((a) => driveClock(clock, a)))).toEqual([true, true]);
  });

  it('a cancel whose request the store refuses to keep still cancels, compensated', async () => {
    const undone: string[] = [];
    const { second, clock, ids } = await eightResumed(async (id) => {
      undone.push(id);
    });
    second.store.requestCancel = async () => {
      throw new Error('store down');
    };
    expect(await driveClock(clock, second.workflowEngine.cancelWorkflow(ids[4]!))).toBe(true);
    const status = await second.workflowEngine.getExecutionStatus(ids[4]!);
    expect([status?.status, status?.compensatedSteps]).toEqual(['cancelled', ['a']]);
    expect(undone).toEqual([ids[4]]);
  });
});
