/**
 * `ctx.signal` is the attempt's: listeners a handler adds to it and never removes (a library
 * that does not clean up) end with the attempt, instead of piling up on one execution-wide
 * signal over a long run of steps (a leak, and Node's MaxListenersExceededWarning past 10).
 * It still aborts on cancel while the attempt runs.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CancelledError, type StepContext } from '../../src/index.js';
import { gate, nextEvent, withOrchestrator } from '../helpers/orchestrator.js';

describe('ctx.signal over many steps', () => {
  it('does not keep the abort listeners of earlier steps', async () => {
    const counts: number[] = [];
    const leaky = (_input: unknown, ctx: StepContext) => {
      ctx.signal.addEventListener('abort', () => undefined); // never removed
      counts.push(getEventListeners(ctx.signal, 'abort').length);
      return 'ok';
    };
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const orch = await withOrchestrator({ store: 'memory', actions: { leaky } });
      const steps = Array.from({ length: 15 }, (_, i) => ({ name: `s${i}`, action: 'leaky' }));
      await orch.workflowEngine.defineWorkflow('w', steps);
      const status = await orch.workflowEngine.waitForCompletion(
        await orch.workflowEngine.executeWorkflow('w'),
      );
      expect(status.status).toBe('completed');
    } finally {
      process.off('warning', onWarning);
    }
    expect(counts).toEqual(new Array(15).fill(1));
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('still aborts the running attempt on cancel', async () => {
    const entered = gate();
    let reason: unknown;
    const waits = (_input: unknown, ctx: StepContext) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          reason = ctx.signal.reason;
          reject(ctx.signal.reason);
        });
        entered.open();
      });
    const orch = await withOrchestrator({ store: 'memory', actions: { quick: () => 1, waits } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'quick' }, { name: 'waits' }]);
    const finished = nextEvent(orch, 'execution.finished');
    const id = await orch.workflowEngine.executeWorkflow('w');
    await entered.promise;
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(true);
    await finished;
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
    expect(reason).toBeInstanceOf(CancelledError);
    expect(reason).toMatchObject({ code: 'CANCELLED', message: `Execution '${id}' was cancelled` });
  });

  it('is aborted when first read after its attempt was stopped (a handler that checks it after an await)', async () => {
    const entered = gate();
    const resume = gate();
    const seen = gate<boolean>();
    // Reads ctx.signal only once its first await is over: by then a cancel has stopped the attempt.
    const charges = async (_input: unknown, ctx: StepContext) => {
      entered.open();
      await resume.promise;
      seen.open(ctx.signal.aborted);
      return 'charged';
    };
    const orch = await withOrchestrator({ store: 'memory', actions: { charges } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'charges' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await entered.promise;
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(true);
    resume.open();
    expect(await seen.promise).toBe(true);
  });
});
