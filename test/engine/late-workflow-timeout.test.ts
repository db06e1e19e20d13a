/**
 * A workflow's timeout holds when a step ends after it though its timer has not fired yet (a stalled
 * event loop runs due timers list by list; a synchronous handler cannot be cut short): the
 * execution fails with WORKFLOW_TIMEOUT and compensates, as when the timer fires in time; the late
 * step's result is not taken and no further step starts.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { type StalledClock, stalledClock } from '../helpers/stalled-clock.js';

/** The workflow `w` (timeout 10 ms): `first` (undone by `undo`), then `steps`. */
async function run(orch: Orchestrator, steps: unknown[]) {
  const e = orch.workflowEngine;
  await e.defineWorkflow('w', [{ name: 'first', compensation: 'undo' }, ...(steps as never[])], {
    timeout: 0.01,
  });
  return e.waitForCompletion(await e.executeWorkflow('w'));
}

async function withStalled(
  test: (orch: Orchestrator, clock: StalledClock, calls: string[]) => Promise<void>,
) {
  const clock = stalledClock();
  const orch = await createOrchestrator({ store: 'memory', clock });
  const calls: string[] = [];
  orch.workflowEngine.registerAction('first', async () => {
    calls.push('first');
    return 1;
  });
  orch.errorRecovery.registerCompensation('undo', async () => {
    calls.push('undo');
  });
  orch.workflowEngine.registerAction('next', async () => {
    calls.push('next');
    return 'next';
  });
  try {
    await test(orch, clock, calls);
  } finally {
    await orch.close();
  }
}

describe("a workflow's timeout, its timer not fired", () => {
  it('fails the execution with WORKFLOW_TIMEOUT when a step returns after it, and compensates', () =>
    withStalled(async (orch, clock, calls) => {
      orch.workflowEngine.registerAction('late', async () => {
        clock.move(20);
        return 'late';
      });
      const status = await run(orch, [{ name: 'late' }, { name: 'next' }]);
      expect(status.status).toBe('failed');
      expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT', step: 'late' });
      expect(status.steps.map((s) => [s.name, s.status])).toEqual([
        ['first', 'completed'],
        ['late', 'cancelled'],
        ['next', 'skipped'],
      ]);
      expect(status.steps[0]?.compensation).toMatchObject({ status: 'completed' });
      expect(status.outputData.late).toBeUndefined();
      expect(calls).toEqual(['first', 'undo']);
    }));

  it('fails it when a synchronous step runs past it', () =>
    withStalled(async (orch, clock, calls) => {
      orch.workflowEngine.registerAction('late', () => {
        clock.move(11);
        return 'late';
      });
      const status = await run(orch, [{ name: 'late' }, { name: 'next' }]);
      expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT', step: 'late' });
      expect(calls).toEqual(['first', 'undo']);
    }));

  it('starts no further step once past it between steps', () =>
    withStalled(async (orch, clock, calls) => {
      // Time passes between `first` completing and the next step's start.
      orch.on('step.completed', () => clock.move(11));
      const status = await run(orch, [{ name: 'next' }]);
      expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT' });
      expect(calls).toEqual(['first', 'undo']);
    }));

  it("fails it when a parallel step's branch returns after it", () =>
    withStalled(async (orch, clock, calls) => {
      orch.workflowEngine.registerAction('late', async () => {
        clock.move(20);
        return 'late';
      });
      const status = await run(orch, [{ name: 'p', parallel: [{ name: 'late' }, { name: 'next' }] }]);
      expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT', step: 'p' });
      expect(status.outputData.p).toBeUndefined();
      expect(calls).toContain('undo');
    }));

  it('completes when the last step ends exactly at it', () =>
    withStalled(async (orch, clock, calls) => {
      orch.workflowEngine.registerAction('late', async () => {
        clock.move(10);
        return 'in time';
      });
      const status = await run(orch, [{ name: 'late' }]);
      expect(status.status).toBe('completed');
      expect(status.outputData.late).toBe('in time');
      expect(calls).toEqual(['first']);
    }));
});
