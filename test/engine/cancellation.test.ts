/**
 * Cancellation (SPEC §4): `cancelWorkflow` of a pending execution → true, it never runs; of a
 * running one → its signal aborts, completed steps are compensated in reverse order, status
 * `cancelled`, true; of a finished or unknown execution → false.
 */
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/index.js';
import {
  collectEvents,
  gate,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  untilAborted,
  waitForStatus,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('cancellation (%s store)', (kind) => {
  it('cancels a pending execution: returns true, and it never runs', async () => {
    const hold = gate();
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 1,
      actions: {
        block: async (input) => {
          ran.push(`block:${JSON.stringify(input)}`);
          await hold.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const first = await orch.workflowEngine.executeWorkflow('w', { n: 1 });
    const queued = await orch.workflowEngine.executeWorkflow('w', { n: 2 });
    expect((await orch.workflowEngine.getExecutionStatus(queued))?.status).toBe('pending');
    const events = collectEvents(orch, ['execution.cancelled']);
    await expect(orch.workflowEngine.cancelWorkflow(queued)).resolves.toBe(true);
    const cancelled = await orch.workflowEngine.getExecutionStatus(queued);
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.completedAt).toBeInstanceOf(Date);
    expect(events.of('execution.cancelled').map((e) => e.executionId)).toEqual([queued]);
    hold.open();
    await orch.workflowEngine.waitForCompletion(first);
    expect(await orch.workflowEngine.waitForCompletion(queued)).toMatchObject({ status: 'cancelled' });
    expect(ran).toEqual(['block:{"n":1}']);
    // A second cancel is a no-op.
    await expect(orch.workflowEngine.cancelWorkflow(queued)).resolves.toBe(false);
  });

  it('cancels a running execution: aborts the signal, compensates in reverse order, ends cancelled', async () => {
    const inStep = gate();
    const order: string[] = [];
    let signalReason: unknown = null;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve_inventory: () => ({ reservation: 'R1' }),
        charge_payment: () => ({ charge: 'C1' }),
        ship_order: async (_i, ctx) => {
          inStep.open();
          try {
            await untilAborted(ctx.signal);
          } catch (reason) {
            signalReason = reason;
            order.push('ship_order aborted');
            throw reason;
          }
        },
        notify: () => order.push('notify ran'),
      },
      compensations: {
        release_inventory: (out) => order.push(`release_inventory ${JSON.stringify(out)}`),
        refund_payment: (out) => order.push(`refund_payment ${JSON.stringify(out)}`),
        cancel_shipment: () => order.push('cancel_shipment'),
      },
    });
    await orch.workflowEngine.defineWorkflow('order', [
      { name: 'reserve_inventory', compensation: 'release_inventory' },
      { name: 'charge_payment', compensation: 'refund_payment' },
      { name: 'ship_order', compensation: 'cancel_shipment' },
      { name: 'notify' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('order', {});
    await inStep.promise;
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('running');
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    const status = await orch.workflowEngine.getExecutionStatus(id);
    expect(status?.status).toBe('cancelled');
    expect(signalReason).toBeInstanceOf(CancelledError);
    expect(signalReason).toMatchObject({ code: 'CANCELLED', message: `Execution '${id}' was cancelled` });
    expect(order).toEqual([
      'ship_order aborted',
      'refund_payment {"charge":"C1"}',
      'release_inventory {"reservation":"R1"}',
    ]);
    expect(status?.compensatedSteps).toEqual(['charge_payment', 'reserve_inventory']);
    expect(status?.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'cancelled', 'skipped']);
    expect(status?.completedAt).toBeInstanceOf(Date);
    // Cancellation is not a failure: no step error is reported as the execution's error.
    expect(status?.error?.code ?? 'CANCELLED').toBe('CANCELLED');
  });

  it('cancels a running execution whose handler ignores the signal', async () => {
    const inStep = gate();
    const never = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        deaf: async () => {
          inStep.open();
          await never.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'deaf' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await inStep.promise;
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    expect((await orch.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('cancelled');
    never.open();
  });

  it('a handler that cancels its own execution, then rejects, does not crash the process', async () => {
    // The handler's signal aborts before the handler has returned its promise; that promise
    // rejecting later must be handled, not reach the process as an unhandled rejection.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const orch = await withOrchestrator({
        store: storeUrl(kind),
        actions: {
          quit: async (_input, ctx) => {
            void orch.workflowEngine.cancelWorkflow(ctx.executionId);
            await untilAborted(ctx.signal);
          },
        },
      });
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'quit' }]);
      const status = await runToEnd(orch, 'w');
      expect(status.status).toBe('cancelled');
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('cancels an execution waiting for a retry backoff', async () => {
    const failed = gate();
    let runs = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        flaky: () => {
          runs++;
          failed.open();
          throw new Error('down');
        },
      },
    });
    // A long backoff: the cancel must not wait for it.
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'flaky', retry: { initialDelay: 60 } }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await failed.promise;
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
    expect(runs).toBe(1);
  });

  it('returns false for a completed, a failed or an unknown execution', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        ok: () => 1,
        bad: () => {
          throw new Error('x');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('ok', [{ name: 'ok' }]);
    await orch.workflowEngine.defineWorkflow('bad', [{ name: 'bad' }]);
    const done = await runToEnd(orch, 'ok');
    const failed = await runToEnd(orch, 'bad');
    await expect(orch.workflowEngine.cancelWorkflow(done.id)).resolves.toBe(false);
    await expect(orch.workflowEngine.cancelWorkflow(failed.id)).resolves.toBe(false);
    await expect(orch.workflowEngine.cancelWorkflow('exec_does_not_exist')).resolves.toBe(false);
    expect((await orch.workflowEngine.getExecutionStatus(done.id))?.status).toBe('completed');
    expect((await orch.workflowEngine.getExecutionStatus(failed.id))?.status).toBe('failed');
  });

  it('returns false for an execution that is already compensating, and lets it finish as failed', async () => {
    const inUndo = gate();
    const release = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => 1,
        b: () => {
          throw new Error('b failed');
        },
      },
      compensations: {
        undo_a: async () => {
          inUndo.open();
          await release.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo_a' }, { name: 'b' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await inUndo.promise;
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(false);
    release.open();
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('failed');
    expect(status.compensatedSteps).toEqual(['a']);
  });

  it('cancels a running parallel step: aborts every branch and compensates the completed ones', async () => {
    const slowStarted = gate();
    const aborted: string[] = [];
    const compensated: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        fast: () => 'fast done',
        slow: async (_i, ctx) => {
          slowStarted.open();
          try {
            await untilAborted(ctx.signal);
          } finally {
            aborted.push('slow');
          }
        },
      },
      compensations: { undo: (out) => compensated.push(String(out)) },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      {
        name: 'p',
        parallel: [
          { name: 'fast', compensation: 'undo' },
          { name: 'slow', compensation: 'undo' },
        ],
      },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await slowStarted.promise;
    await waitForStatus(orch, id, (s) => s.steps[0]?.branches?.[0]?.status === 'completed');
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    const status = await orch.workflowEngine.getExecutionStatus(id);
    expect(status?.status).toBe('cancelled');
    expect(aborted).toEqual(['slow']);
    expect(compensated).toEqual(['fast done']);
    expect(status?.compensatedSteps).toEqual(['fast']);
  });

  it('does not compensate on cancel when enableCompensation is false', async () => {
    const inStep = gate();
    const compensated: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      enableCompensation: false,
      actions: {
        a: () => 1,
        b: (_i, ctx) => {
          inStep.open();
          return untilAborted(ctx.signal);
        },
      },
      compensations: { undo_a: () => compensated.push('a') },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo_a' }, { name: 'b' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await inStep.promise;
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    const status = await orch.workflowEngine.getExecutionStatus(id);
    expect(status?.status).toBe('cancelled');
    expect(compensated).toEqual([]);
    expect(status?.compensatedSteps).toEqual([]);
  });

  it('starts the next queued execution once a cancelled one frees its slot', async () => {
    const inStep = gate();
    const ran: number[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 1,
      actions: {
        work: async (input, ctx) => {
          const n = (input as { n: number }).n;
          ran.push(n);
          if (n === 1) {
            inStep.open();
            await untilAborted(ctx.signal);
          }
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const first = await orch.workflowEngine.executeWorkflow('w', { n: 1 });
    const second = await orch.workflowEngine.executeWorkflow('w', { n: 2 });
    await inStep.promise;
    await orch.workflowEngine.cancelWorkflow(first);
    expect((await orch.workflowEngine.waitForCompletion(second, { timeout: 5 })).status).toBe('completed');
    expect(ran).toEqual([1, 2]);
  });
});
