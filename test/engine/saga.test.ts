/**
 * Saga compensation (SPEC §3, §4): on failure the compensations of the completed steps run in
 * reverse completion order; steps that did not complete are not compensated; a compensation
 * that throws is retried, then recorded as failed (in the status and as an `alert`) while the
 * others still run; `enableCompensation: false` skips it all.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, FakeClock, NonRetryableError, type StepContext } from '../../src/index.js';
import {
  collectEvents,
  finishWithClock,
  gate,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

const fail =
  (message = 'step failed') =>
  () => {
    throw new Error(message);
  };

describe.each(STORE_KINDS)('saga compensation (%s store)', (kind) => {
  it('compensates completed steps in reverse order of completion with their outputs', async () => {
    const calls: { name: string; output: unknown; ctx: Partial<StepContext> }[] = [];
    const comp = (name: string) => (output: unknown, ctx: StepContext) => {
      calls.push({ name, output, ctx: { executionId: ctx.executionId, stepName: ctx.stepName } });
    };
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve_inventory: () => ({ reservation: 'R-1' }),
        charge_payment: () => ({ charge: 'C-1' }),
        ship_order: fail('carrier unavailable'),
      },
      compensations: {
        release_inventory: comp('release_inventory'),
        refund_payment: comp('refund_payment'),
        cancel_shipment: comp('cancel_shipment'),
      },
    });
    await orch.workflowEngine.defineWorkflow('order', [
      { name: 'reserve_inventory', compensation: 'release_inventory' },
      { name: 'charge_payment', compensation: 'refund_payment' },
      { name: 'ship_order', compensation: 'cancel_shipment' },
    ]);
    const status = await runToEnd(orch, 'order');
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({
      code: 'STEP_FAILED',
      message: 'carrier unavailable',
      step: 'ship_order',
    });
    expect(calls).toEqual([
      {
        name: 'refund_payment',
        output: { charge: 'C-1' },
        ctx: { executionId: status.id, stepName: 'charge_payment' },
      },
      {
        name: 'release_inventory',
        output: { reservation: 'R-1' },
        ctx: { executionId: status.id, stepName: 'reserve_inventory' },
      },
    ]);
    expect(status.compensatedSteps).toEqual(['charge_payment', 'reserve_inventory']);
    expect(status.steps[0]?.compensation).toMatchObject({ status: 'completed', attempts: 1 });
    expect(status.steps[2]?.compensation).toBeUndefined();
  });

  it('orders by completion, not by definition order (parallel branches finishing out of order)', async () => {
    const calls: string[] = [];
    const firstDone = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        late: async () => {
          await firstDone.promise;
          return 'late';
        },
        early: () => {
          firstDone.open();
          return 'early';
        },
        boom: fail(),
      },
      compensations: { undo: (out) => calls.push(String(out)) },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      {
        name: 'p',
        parallel: [
          { name: 'late', compensation: 'undo' },
          { name: 'early', compensation: 'undo' },
        ],
      },
      { name: 'boom' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(calls).toEqual(['late', 'early']);
  });

  it('skips steps without a compensation and never compensates steps that did not complete', async () => {
    const calls: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { a: () => 'a', b: () => 'b', c: fail(), d: () => 'd' },
      compensations: {
        undo_a: () => calls.push('undo_a'),
        undo_c: () => calls.push('undo_c'),
        undo_d: () => calls.push('undo_d'),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'b' },
      { name: 'c', compensation: 'undo_c' },
      { name: 'd', compensation: 'undo_d' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(calls).toEqual(['undo_a']);
    expect(status.compensatedSteps).toEqual(['a']);
  });

  it('shows the execution as compensating while compensations run', async () => {
    const inCompensation = gate();
    const release = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { a: () => 1, b: fail() },
      compensations: {
        undo_a: async () => {
          inCompensation.open();
          await release.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo_a' }, { name: 'b' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await inCompensation.promise;
    const mid = await orch.workflowEngine.getExecutionStatus(id);
    expect(mid?.status).toBe('compensating');
    expect(mid?.error?.step).toBe('b');
    expect((await orch.workflowEngine.listExecutions({ status: 'compensating' })).map((s) => s.id)).toEqual([
      id,
    ]);
    release.open();
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('failed');
    expect(status.compensatedSteps).toEqual(['a']);
  });

  it('retries a compensation that throws, then records it as failed, raises an alert, and runs the others', async () => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { a: () => 'a', b: () => 'b', c: () => 'c', boom: fail() },
      compensations: {
        undo_a: () => ran.push('undo_a'),
        undo_b: () => {
          attempts.push(clock.now());
          throw Object.assign(new Error('refund service down'), { code: 'E_REFUND' });
        },
        undo_c: () => ran.push('undo_c'),
      },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    const events = collectEvents(orch, ['compensation.failed']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'b', compensation: 'undo_b' },
      { name: 'c', compensation: 'undo_c' },
      { name: 'boom' },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.status).toBe('failed');
    expect(status.error?.step).toBe('boom');
    // Retried with the seed's policy: 1 + retryAttempts (3) runs, 1 s, 2 s, 4 s apart.
    expect(attempts).toHaveLength(4);
    expect(attempts.slice(1).map((t, i) => t - (attempts[i] as number))).toEqual([1000, 2000, 4000]);
    expect(ran).toEqual(['undo_c', 'undo_a']);
    expect(status.compensatedSteps).toEqual(['c', 'a']);
    const b = status.steps.find((s) => s.name === 'b');
    expect(b?.compensation).toMatchObject({ status: 'failed', attempts: 4 });
    expect(b?.compensation?.error).toMatchObject({ code: 'E_REFUND', message: 'refund service down' });
    expect(events.of('compensation.failed').map((e) => e.final)).toEqual([false, false, false, true]);
    const compAlerts = alerts.filter((a) => a.type === 'compensation_failure');
    expect(compAlerts).toHaveLength(1);
    expect(compAlerts[0]).toMatchObject({ executionId: status.id, step: 'b', workflowId: 'w' });
    expect(compAlerts[0]?.message).toContain('refund service down');
  });

  it('succeeds on a compensation retry after a transient failure', async () => {
    const clock = new FakeClock();
    let tries = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { a: () => 'a', boom: fail() },
      compensations: {
        undo_a: () => {
          if (++tries < 3) throw new Error('flaky');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo_a' }, { name: 'boom' }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(tries).toBe(3);
    expect(status.compensatedSteps).toEqual(['a']);
    expect(status.steps[0]?.compensation).toMatchObject({ status: 'completed', attempts: 3 });
    // Like a step that succeeded on a retry, a completed compensation carries no error.
    expect(status.steps[0]?.compensation?.error).toBeUndefined();
  });

  it('does not retry a compensation that throws NonRetryableError (README: it stops retries)', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { a: () => 'a', b: () => 'b', boom: fail() },
      compensations: {
        undo_a: () => ran.push('undo_a'),
        undo_b: () => {
          runs++;
          throw new NonRetryableError('the refund window closed', { code: 'REFUND_CLOSED' });
        },
      },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    const events = collectEvents(orch, ['compensation.failed']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'b', compensation: 'undo_b' },
      { name: 'boom' },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(runs).toBe(1);
    expect(events.of('compensation.failed').map((e) => [e.step, e.final, e.error.code])).toEqual([
      ['b', true, 'REFUND_CLOSED'],
    ]);
    expect(status.steps[1]?.compensation).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'REFUND_CLOSED' },
    });
    expect(ran).toEqual(['undo_a']);
    expect(alerts.filter((a) => a.type === 'compensation_failure').map((a) => a.step)).toEqual(['b']);
  });

  it('records a compensation whose handler is not registered as failed and still runs the others', async () => {
    const ran: string[] = [];
    const alerts: Alert[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { a: () => 'a', b: () => 'b', boom: fail() },
      compensations: { undo_a: () => ran.push('undo_a') },
    });
    orch.on('alert', (a) => alerts.push(a));
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'b', compensation: 'never_registered' },
      { name: 'boom' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(ran).toEqual(['undo_a']);
    expect(status.compensatedSteps).toEqual(['a']);
    expect(status.steps[1]?.compensation?.status).toBe('failed');
    expect(alerts.map((a) => [a.type, a.step])).toEqual([['compensation_failure', 'b']]);
  });

  it('skips compensation entirely when enableCompensation is false', async () => {
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      enableCompensation: false,
      actions: { a: () => 'a', boom: fail() },
      compensations: { undo_a: () => ran.push('undo_a') },
    });
    const events = collectEvents(orch, ['execution.compensating', 'compensation.started']);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo_a' }, { name: 'boom' }]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(ran).toEqual([]);
    expect(status.compensatedSteps).toEqual([]);
    expect(events.all).toEqual([]);
  });

  it('does not compensate a completed execution', async () => {
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { a: () => 'a' },
      compensations: { undo_a: () => ran.push('undo_a') },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo_a' }]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('completed');
    expect(ran).toEqual([]);
  });

  it('uses a compensation registered on orch.errorRecovery after start', async () => {
    const ran: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { a: () => ({ id: 9 }), boom: fail() },
    });
    orch.errorRecovery.registerCompensation('late_registered', (out) => ran.push(out));
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'late_registered' },
      { name: 'boom' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(ran).toEqual([{ id: 9 }]);
    expect(status.compensatedSteps).toEqual(['a']);
  });
});
