/**
 * A resumed execution waiting for a slot (it ran before a restart) whose parallel step was running
 * when its process stopped: that step's timeout counts from its stored start (SPEC §6: timeouts
 * are absolute times that survive restarts). When it passes while the execution waits, the step
 * fails with STEP_TIMEOUT then, as its timer would have failed it (its execution with it,
 * compensating what completed), rather than the execution staying `running` until a slot frees;
 * and a cancel that comes after it passed, before the queue's timer ended it, finds it timed out
 * and answers false, as it does for a running one (`late-cancel-step-timeout.test.ts`).
 */
import { describe, expect, it } from 'vitest';
import { type ActionHandler, FakeClock } from '../../src/index.js';
import { answerWithin, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { skewable } from '../helpers/skewable-clock.js';

const hang: ActionHandler = (_input, ctx) => untilAborted(ctx.signal);

/**
 * Two executions stopped by a restart: one in a hanging step, one in a parallel step `p` with a
 * 30 s timeout (its step `a` before it has a compensation); a node with one slot resumes them, the
 * first running, the second waiting.
 */
async function resumedQueued() {
  const store = tempSqliteUrl();
  const fake = new FakeClock();
  const clock = skewable(fake);
  const undone: string[] = [];
  const options = {
    store,
    clock,
    actions: { a: () => 1, b: hang, c: () => 'c' },
    compensations: {
      undo: (_input: unknown, ctx: { executionId: string }) => void undone.push(ctx.executionId),
    },
  };
  const first = await withOrchestrator({ ...options, maxConcurrentWorkflows: 2 });
  const e = first.workflowEngine;
  await e.defineWorkflow('long', [{ name: 'b' }], { timeout: 1000 });
  await e.defineWorkflow(
    'par',
    [
      { name: 'a', compensation: 'undo' },
      { name: 'p', timeout: 30, parallel: [{ name: 'b' }, { name: 'c' }] },
    ],
    { timeout: 1000 },
  );
  await e.executeWorkflow('long');
  const queued = await e.executeWorkflow('par');
  await fake.advance(100);
  await first.close();
  const second = await withOrchestrator({ ...options, maxConcurrentWorkflows: 1 });
  expect(second.getLocalLoad()).toEqual({ running: 1, queued: 1 });
  return { second, fake, clock, undone, queued };
}

describe("a resumed execution waiting for a slot past its parallel step's timeout", () => {
  it('fails with STEP_TIMEOUT when the timeout passes, compensated, without waiting for a slot', async () => {
    const { second, fake, undone, queued } = await resumedQueued();
    await fake.advance(30_000);
    const status = await answerWithin(second.workflowEngine.waitForCompletion(queued));
    expect(status).toMatchObject({ status: 'failed', error: { code: 'STEP_TIMEOUT', step: 'p' } });
    expect(undone).toEqual([queued]);
  });

  it('is found timed out by a cancel that comes first: STEP_TIMEOUT, and the cancel answers false', async () => {
    const { second, clock, undone, queued } = await resumedQueued();
    clock.skew(30_000);
    expect(await answerWithin(second.workflowEngine.cancelWorkflow(queued))).toBe(false);
    const status = await second.workflowEngine.getExecutionStatus(queued);
    expect(status).toMatchObject({ status: 'failed', error: { code: 'STEP_TIMEOUT', step: 'p' } });
    expect(status?.compensatedSteps).toEqual(['a']);
    expect(undone).toEqual([queued]);
  });

  it('is cancelled by a cancel that comes before the timeout passed', async () => {
    const { second, clock, undone, queued } = await resumedQueued();
    clock.skew(29_000);
    expect(await answerWithin(second.workflowEngine.cancelWorkflow(queued))).toBe(true);
    expect((await second.workflowEngine.getExecutionStatus(queued))?.status).toBe('cancelled');
    expect(undone).toEqual([queued]);
  });
});
