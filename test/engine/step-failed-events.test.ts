// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * Every step that fails says so with a `step.failed` event, not only action attempts: a
 * condition whose expression cannot be evaluated, and a parallel step as a whole (timed out, or
 * failed by one of its branches, which says so for itself first).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { collectEvents, finishWithClock, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

describe('step.failed for steps that are not action attempts', () => {
  it('a condition whose expression fails (EXPRESSION_ERROR)', async () => {
    const orch = await withOrchestrator({ actions: { a: () => ({ n: 1 }) } });
    const events = collectEvents(orch, ['step.failed', 'execution.failed']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'check', condition: 'steps.a.output.n.missing.deeper > 1', then: 'a' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.error).toMatchObject({ code: 'EXPRESSION_ERROR', step: 'check' });
    expect(events.all.map((e) => e.event)).toEqual(['step.failed', 'execution.failed']);
    expect(events.of('step.failed')[0]).toMatchObject({
      executionId: id,
      step: 'check',
      attempt: 1,
      error: { code: 'EXPRESSION_ERROR', step: 'check' },
    });
  });

  it('a parallel step that times out, and one a branch fails', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      actions: {
        hang: (_input, ctx) => untilAborted(ctx.signal),
        boom: () => Promise.reject(new Error('boom')),
      },
    });
    const events = collectEvents(orch, ['step.failed']);
    await orch.workflowEngine.defineWorkflow('slow', [
      { name: 'p', timeout: 5, parallel: [{ name: 'hang' }] },
    ]);
    await orch.workflowEngine.defineWorkflow('bad', [
      { name: 'q', parallel: [{ name: 'boom' }, { name: 'hang2', action: 'hang' }] },
    ]);
    const slow = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('slow'));
    expect(slow.error?.code).toBe('STEP_TIMEOUT');
    expect(events.of('step.failed').map((e) => [e.step, e.parent, e.error.code])).toEqual([
      ['p', undefined, 'STEP_TIMEOUT'],
    ]);
    const bad = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('bad'));
    expect(bad.error?.code).toBe('STEP_FAILED');
    expect(
      events
        .of('step.failed')
        .slice(1)
        .map((e) => [e.step, e.parent, e.error.code]),
    ).toEqual([
      ['boom', 'q', 'STEP_FAILED'],
      ['q', undefined, 'STEP_FAILED'],
    ]);
  });
});
