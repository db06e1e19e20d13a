/**
 * A branch of a parallel step whose first attempt would start after the step's timeout (its timer
 * not fired yet: a stalled event loop, or a sibling's handler that ran long before its first
 * await) does not start: as a retry after a backoff, it is not recorded as run, announced with
 * step.started, nor counted in the metrics' steps run. The step fails with STEP_TIMEOUT. The same
 * for the workflow's timeout, for a branch and for a top-level step (which the walk checks first).
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { collectEvents, untilAborted } from '../helpers/orchestrator.js';
import { stalledClock } from '../helpers/stalled-clock.js';

describe("a parallel step's branch due to start after the step's timeout", () => {
  it('does not start, is not announced and does not count as run', async () => {
    const clock = stalledClock();
    const orch = await createOrchestrator({ store: 'memory', clock });
    try {
      const e = orch.workflowEngine;
      const ran: string[] = [];
      // `a` runs 20 ms before its first await (past the step's 10 ms), then waits for its signal.
      e.registerAction('a', ((_input: unknown, ctx: { signal: AbortSignal }) => {
        ran.push('a');
        clock.move(20);
        return untilAborted(ctx.signal);
      }) as never);
      e.registerAction('b', () => {
        ran.push('b');
        return 'b';
      });
      await e.defineWorkflow('w', [{ name: 'p', timeout: 0.01, parallel: [{ name: 'a' }, { name: 'b' }] }]);
      const events = collectEvents(orch, ['step.started', 'step.cancelled']);
      const status = await e.waitForCompletion(await e.executeWorkflow('w'));
      expect(status.status).toBe('failed');
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'p' });
      expect(ran).toEqual(['a']);
      expect(events.of('step.started').map((s) => s.step)).toEqual(['p', 'a']);
      expect(events.of('step.cancelled').map((s) => s.step)).toEqual(['a']);
      const b = status.steps[0]?.branches?.find((s) => s.name === 'b');
      expect(b).toMatchObject({ status: 'cancelled', attempts: 0 });
      // (The parallel step itself is no step run: its branches are.)
      expect(orch.getMetrics().stepsRun).toBe(1);
    } finally {
      await orch.close();
    }
  });

  it("does not start past the workflow's timeout either", async () => {
    const clock = stalledClock();
    const orch = await createOrchestrator({ store: 'memory', clock });
    try {
      const e = orch.workflowEngine;
      e.registerAction('a', ((_input: unknown, ctx: { signal: AbortSignal }) => {
        clock.move(20);
        return untilAborted(ctx.signal);
      }) as never);
      e.registerAction('b', () => 'b');
      await e.defineWorkflow('w', [{ name: 'p', parallel: [{ name: 'a' }, { name: 'b' }] }], {
        timeout: 0.01,
      });
      const events = collectEvents(orch, ['step.started']);
      const status = await e.waitForCompletion(await e.executeWorkflow('w'));
      expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT', step: 'p' });
      expect(events.of('step.started').map((s) => s.step)).toEqual(['p', 'a']);
      expect(orch.getMetrics().stepsRun).toBe(1);
    } finally {
      await orch.close();
    }
  });
});

describe("a top-level step due to start after the workflow's timeout", () => {
  it('does not start, is not announced and does not count as run', async () => {
    const clock = stalledClock();
    const orch = await createOrchestrator({ store: 'memory', clock });
    try {
      const e = orch.workflowEngine;
      e.registerAction('first', () => 1);
      e.registerAction('next', () => 2);
      await e.defineWorkflow('w', [{ name: 'first' }, { name: 'next' }], { timeout: 0.01 });
      // Time passes between `first` completing and the next step's start.
      orch.on('step.completed', () => clock.move(11));
      const events = collectEvents(orch, ['step.started']);
      const status = await e.waitForCompletion(await e.executeWorkflow('w'));
      expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT' });
      expect(events.of('step.started').map((s) => s.step)).toEqual(['first']);
      expect(status.steps[1]).toMatchObject({ name: 'next', attempts: 0 });
      expect(orch.getMetrics().stepsRun).toBe(1);
    } finally {
      await orch.close();
    }
  });
});
