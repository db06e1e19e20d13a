/**
 * The seed's "Error Recovery" scenarios (seed README, Key Features Tested), one test per line,
 * through the public API with the seed's default config. Backoff is measured in virtual time.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, ErrorRecovery, FakeClock, type StepDefinition } from '../../src/index.js';
import {
  finishWithClock,
  type Gate,
  gate,
  tempSqliteUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** The seed's saga. */
const ORDER_SAGA: StepDefinition[] = [
  { name: 'reserve_inventory', compensation: 'release_inventory' },
  { name: 'charge_payment', compensation: 'refund_payment' },
  { name: 'ship_order', compensation: 'cancel_shipment' },
];

const failWith = (message: string, code?: string) => () => {
  throw Object.assign(new Error(message), code ? { code } : {});
};

/** An ErrorRecovery whose sleeps are recorded instead of waited. */
function recordedRecovery() {
  const slept: number[] = [];
  const recovery = new ErrorRecovery({
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { recovery, slept };
}

describe('Error Recovery', () => {
  it('Workflow failure handling', async () => {
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      actions: {
        validate: () => ran.push('validate'),
        process: failWith('LLM provider unavailable', 'LLM_UNAVAILABLE'),
        store: () => ran.push('store'),
      },
    });
    const failed: unknown[] = [];
    orch.on('execution.failed', (e) => failed.push(e.error));
    await orch.workflowEngine.defineWorkflow('user_workflow', [
      { name: 'validate_input', action: 'validate' },
      { name: 'process_data', action: 'process' },
      { name: 'store_result', action: 'store' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('user_workflow', { user_id: 123 });
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('failed');
    expect(status.error).toEqual({
      code: 'LLM_UNAVAILABLE',
      message: 'LLM provider unavailable',
      step: 'process_data',
    });
    expect(status.stepsCompleted).toBe(1);
    expect(status.steps[1]).toMatchObject({ status: 'failed', error: status.error });
    expect(ran).toEqual(['validate']);
    expect(failed).toEqual([status.error]);
    expect(orch.getMetrics().executions).toMatchObject({ failed: 1, completed: 0 });
    expect(orch.getMetrics().successRate).toBe(0);
  });

  it('Compensation handler registration', async () => {
    const undone: unknown[] = [];
    const orch = await withOrchestrator({
      store: 'memory',
      actions: { database_write: () => ({ recordId: 42 }), api_call: failWith('timeout') },
      compensations: { undo_api_call: () => undone.push('api') },
    });
    const recovery = orch.errorRecovery;
    recovery.registerCompensation('undo_database_write', async (output) => {
      undone.push(output);
    });
    expect(recovery.hasCompensation('undo_database_write')).toBe(true);
    expect(recovery.hasCompensation('undo_api_call')).toBe(true);
    expect(recovery.listCompensations().sort()).toEqual(['undo_api_call', 'undo_database_write']);
    expect(() => recovery.registerCompensation('', () => undefined)).toThrow(/name/);
    expect(() => recovery.registerCompensation('x', 'nope' as unknown as () => void)).toThrow(/handler/);
    // The engine uses the same registry.
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'database_write', compensation: 'undo_database_write' },
      { name: 'api_call', compensation: 'undo_api_call' },
    ]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(undone).toEqual([{ recordId: 42 }]);
    expect(status.compensatedSteps).toEqual(['database_write']);
  });

  it('Compensation execution', async () => {
    const order: string[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      actions: {
        reserve_inventory: () => ({ sku: 'A1', qty: 1 }),
        charge_payment: () => ({ charge: 'ch_1' }),
        ship_order: failWith('carrier down'),
      },
      compensations: {
        release_inventory: (out) => order.push(`release_inventory ${JSON.stringify(out)}`),
        refund_payment: (out) => order.push(`refund_payment ${JSON.stringify(out)}`),
        cancel_shipment: () => order.push('cancel_shipment'),
      },
    });
    await orch.workflowEngine.defineWorkflow('order', ORDER_SAGA);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('order'),
    );
    // Steps executed: A → B → C(FAIL); compensation: B ← A.
    expect(order).toEqual(['refund_payment {"charge":"ch_1"}', 'release_inventory {"sku":"A1","qty":1}']);
    expect(status.status).toBe('failed');
    expect(status.compensatedSteps).toEqual(['charge_payment', 'reserve_inventory']);
    expect(orch.getMetrics().compensationRate).toBe(1);

    // The standalone API of the seed: handlers under the completed steps' names, reverse order.
    const calls: string[] = [];
    const recovery = new ErrorRecovery();
    recovery.registerCompensation('database_write', () => calls.push('undo_database_write'));
    recovery.registerCompensation('api_call', () => calls.push('undo_api_call'));
    const result = await recovery.compensate('failed_step', ['database_write', 'api_call']);
    expect(calls).toEqual(['undo_api_call', 'undo_database_write']);
    expect(result).toEqual({ compensated: ['api_call', 'database_write'], skipped: [], failed: [] });
  });

  it('Retry with exponential backoff', async () => {
    const clock = new FakeClock();
    const calls: number[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      clock,
      actions: {
        api_call: () => {
          calls.push(clock.now());
          if (calls.length < 4) throw new Error('503');
          return 'ok';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'api_call', retry: true }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'), {
      stepMs: 250,
    });
    expect(status.status).toBe('completed');
    // Backoff delays: 1 s, 2 s, 4 s (base 1 s, multiplier 2).
    expect(calls.slice(1).map((t, i) => t - (calls[i] as number))).toEqual([1000, 2000, 4000]);
    // Capped by retryDelay (5 s by default).
    expect([1, 2, 3, 4, 5].map((n) => orch.errorRecovery.getBackoffDelay(n))).toEqual([1, 2, 4, 5, 5]);
    // The seed's retry_step waits the same delays.
    const { recovery, slept } = recordedRecovery();
    for (let i = 0; i < 3; i++) expect(await recovery.retryStep('api_call', { maxAttempts: 3 })).toBe(true);
    expect(slept).toEqual([1000, 2000, 4000]);
  });

  it('Maximum retry attempts', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      actions: {
        api_call: () => {
          runs++;
          throw new Error('still down');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'api_call', retry: true }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'), {
      stepMs: 250,
    });
    // retryAttempts = 3: the first run plus 3 retries, then the step fails for good.
    expect(runs).toBe(4);
    expect(status.status).toBe('failed');
    expect(status.steps[0]).toMatchObject({ status: 'failed', attempts: 4 });

    const { recovery, slept } = recordedRecovery();
    const results: boolean[] = [];
    for (let i = 0; i < 5; i++) results.push(await recovery.retryStep('api_call', { maxAttempts: 3 }));
    expect(results).toEqual([true, true, true, false, false]);
    expect(recovery.getAttempts('api_call')).toBe(3);
    // Refusals return at once, without waiting.
    expect(slept).toHaveLength(3);
  });

  it('Retry attempt reset', async () => {
    const { recovery, slept } = recordedRecovery();
    expect(await recovery.retryStep('api_call', { maxAttempts: 2 })).toBe(true);
    expect(await recovery.retryStep('api_call', { maxAttempts: 2 })).toBe(true);
    expect(await recovery.retryStep('api_call', { maxAttempts: 2 })).toBe(false);
    expect(recovery.getAttempts('api_call')).toBe(2);
    recovery.resetAttempts('api_call');
    expect(recovery.getAttempts('api_call')).toBe(0);
    // After the reset the step may retry again, starting over at the first delay.
    expect(await recovery.retryStep('api_call', { maxAttempts: 2 })).toBe(true);
    expect(slept).toEqual([1000, 2000, 1000]);

    // In the engine, each execution's step starts over: a success resets the count.
    const clock = new FakeClock();
    let calls = 0;
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      actions: {
        api_call: (_i, ctx) => {
          calls++;
          if (ctx.attempt < 3) throw new Error('flaky');
          return ctx.attempt;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'api_call', retry: true }]);
    for (let i = 0; i < 2; i++) {
      const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'), {
        stepMs: 250,
      });
      expect(status.status).toBe('completed');
      expect(status.steps[0]?.attempts).toBe(3);
      expect(status.outputData.api_call).toBe(3);
    }
    expect(calls).toBe(6);
  });

  it('Partial workflow compensation', async () => {
    const clock = new FakeClock();
    const ran: string[] = [];
    const alerts: Alert[] = [];
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      actions: {
        validate_input: () => 'ok',
        create_user: () => ({ userId: 7 }),
        send_email: failWith('smtp down'),
        create_session: () => ran.push('create_session ran'),
      },
      compensations: {
        delete_user: (out) => ran.push(`delete_user ${JSON.stringify(out)}`),
        destroy_session: () => ran.push('destroy_session'),
      },
    });
    orch.on('alert', (a) => alerts.push(a));
    // The seed's user registration workflow: send_email fails after its retries.
    await orch.workflowEngine.defineWorkflow('user_registration', [
      { name: 'validate_input', timeout: 2 },
      { name: 'create_user', compensation: 'delete_user' },
      { name: 'send_email', retry: true },
      { name: 'create_session', compensation: 'destroy_session' },
    ]);
    const status = await finishWithClock(
      orch,
      clock,
      await orch.workflowEngine.executeWorkflow('user_registration'),
      {
        stepMs: 250,
      },
    );
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ step: 'send_email', message: 'smtp down' });
    // Only the completed step with a compensation is undone; validate_input has none and
    // create_session never ran.
    expect(ran).toEqual(['delete_user {"userId":7}']);
    expect(status.compensatedSteps).toEqual(['create_user']);
    expect(alerts.filter((a) => a.type === 'compensation_failure')).toEqual([]);

    // The standalone API skips steps without a handler and carries on past one that throws.
    const recovery = new ErrorRecovery();
    recovery.registerCompensation('a', () => undefined);
    recovery.registerCompensation('c', () => {
      throw new Error('cannot undo c');
    });
    const result = await recovery.compensate('d', ['a', 'b', 'c']);
    expect(result.compensated).toEqual(['a']);
    expect(result.skipped).toEqual(['b']);
    expect(result.failed.map((f) => [f.step, f.error.message])).toEqual([['c', 'cannot undo c']]);
  });

  it('Bottleneck identification', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      actions: {
        validate: () => clock.sleep(10),
        llm_call: () => clock.sleep(500),
        store: () => clock.sleep(15),
      },
    });
    await orch.workflowEngine.defineWorkflow('voice', [
      { name: 'validate' },
      { name: 'llm_call' },
      { name: 'store' },
    ]);
    for (let i = 0; i < 3; i++) {
      await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('voice'), { stepMs: 5 });
    }
    const optimizer = orch.performanceOptimizer;
    // From the step times the engine recorded...
    expect(optimizer.identifyBottleneck('voice')).toBe('llm_call');
    const stats = optimizer.getStepStats('voice');
    expect(stats.llm_call?.avg).toBeCloseTo(500, -1);
    expect(stats.llm_call?.share).toBeCloseTo(500 / 525, 2);
    // ...and from the seed's explicit step_times.
    const stepTimes = { validate: 10.0, llm_call: 500.0, store: 15.0 };
    expect(optimizer.identifyBottleneck('workflow_id', stepTimes)).toBe('llm_call');
    expect(optimizer.identifyBottleneck('nothing_recorded')).toBeNull();
  });

  it('Load balancing fairness', async () => {
    const holds: Gate[] = [];
    const orch = await withOrchestrator({
      store: 'memory',
      workers: ['worker_1', 'worker_2', 'worker_3'],
      actions: {
        work: () => {
          const g = gate();
          holds.push(g);
          return g.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await orch.workflowEngine.executeWorkflow('w', { i }));
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 10, worker_2: 10, worker_3: 10 });
    expect(orch.loadBalancer.isBalanced(0.3)).toBe(true);
    // Finish worker_1's executions (every third one was assigned to it):
    // new work then fills the least-loaded workers first.
    for (let i = 0; i < 30; i += 3) holds[i]?.open();
    for (let i = 0; i < 30; i += 3) await orch.workflowEngine.waitForCompletion(ids[i] as string);
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 0, worker_2: 10, worker_3: 10 });
    expect(orch.loadBalancer.isBalanced(0.3)).toBe(false);
    for (let i = 0; i < 10; i++) ids.push(await orch.workflowEngine.executeWorkflow('w', { i: 30 + i }));
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 10, worker_2: 10, worker_3: 10 });
    expect(orch.loadBalancer.isBalanced()).toBe(true);
    for (const g of holds) g.open();
    for (const id of ids) await orch.workflowEngine.waitForCompletion(id);
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 0, worker_2: 0, worker_3: 0 });
    expect(orch.loadBalancer.isBalanced()).toBe(true);
  });

  it('Execution time tracking', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      clock,
      actions: { work: (input) => clock.sleep((input as { ms: number }).ms) },
    });
    await orch.workflowEngine.defineWorkflow('timed', [{ name: 'work' }]);
    const durations: number[] = [];
    for (const ms of [100, 200, 300]) {
      const status = await finishWithClock(
        orch,
        clock,
        await orch.workflowEngine.executeWorkflow('timed', { ms }),
        {
          stepMs: 50,
        },
      );
      durations.push((status.completedAt?.getTime() ?? 0) - status.startedAt.getTime());
      expect(status.steps[0]?.durationMs).toBe(ms);
    }
    expect(durations).toEqual([100, 200, 300]);
    const optimizer = orch.performanceOptimizer;
    expect(optimizer.getAvgExecutionTime('timed')).toBeCloseTo(200, -1);
    const stats = optimizer.getStats('timed');
    expect(stats.count).toBe(3);
    expect(stats.min).toBeCloseTo(100, -1);
    expect(stats.max).toBeCloseTo(300, -1);
    expect(orch.getMetrics('timed').avgExecutionMs).toBeCloseTo(200, -1);
    expect(optimizer.getAvgExecutionTime('never_ran')).toBe(0);
    // The seed's direct recording.
    optimizer.recordExecution('workflow_id', 150.0);
    expect(optimizer.getAvgExecutionTime('workflow_id')).toBeCloseTo(150, 0);
  });
});
