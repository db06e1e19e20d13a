/**
 * A resumed execution waiting for a slot (it ran before a restart) whose workflow timeout passed,
 * the queue's deadline timer not fired yet, times out when a cancel comes first, as that timer
 * would have ended it: WORKFLOW_TIMEOUT with its completed steps compensated, and the cancel
 * answers false.
 */
import { describe, expect, it } from 'vitest';
import { type ActionHandler, FakeClock } from '../../src/index.js';
import { answerWithin, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { skewable } from '../helpers/skewable-clock.js';

const hang: ActionHandler = (_input, ctx) => untilAborted(ctx.signal);

describe("a resumed execution waiting for a slot, cancelled past its workflow's timeout", () => {
  it('times out (compensated) and the cancel answers false', async () => {
    const store = tempSqliteUrl();
    const fake = new FakeClock();
    const clock = skewable(fake);
    const undone: string[] = [];
    const options = {
      store,
      clock,
      actions: { a: () => 1, b: hang },
      compensations: {
        undo: (_input: unknown, ctx: { executionId: string }) => void undone.push(ctx.executionId),
      },
    };
    const first = await withOrchestrator({ ...options, maxConcurrentWorkflows: 2 });
    await first.workflowEngine.defineWorkflow('long', [{ name: 'a', compensation: 'undo' }, { name: 'b' }], {
      timeout: 1000,
    });
    await first.workflowEngine.defineWorkflow('short', [{ name: 'a', compensation: 'undo' }, { name: 'b' }], {
      timeout: 30,
    });
    await first.workflowEngine.executeWorkflow('long');
    const queued = await first.workflowEngine.executeWorkflow('short');
    await fake.advance(100);
    await first.close();
    const second = await withOrchestrator({ ...options, maxConcurrentWorkflows: 1 });
    expect(second.getLocalLoad()).toEqual({ running: 1, queued: 1 });
    clock.skew(30_000);
    expect(await answerWithin(second.workflowEngine.cancelWorkflow(queued))).toBe(false);
    const status = await second.workflowEngine.getExecutionStatus(queued);
    expect(status?.status).toBe('failed');
    expect(status?.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(status?.compensatedSteps).toEqual(['a']);
    expect(undone).toEqual([queued]);
  });
});
