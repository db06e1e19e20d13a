/**
 * The seed's "Workflow Orchestration" scenarios (seed README, Key Features Tested), one test
 * per line, through the public API with the seed's default config.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type StepDefinition } from '../../src/index.js';
import {
  finishWithClock,
  type Gate,
  gate,
  tempSqliteUrl,
  untilAborted,
  waitForStatus,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** The seed's example workflow. */
const USER_WORKFLOW: StepDefinition[] = [
  { name: 'validate_input', action: 'validate' },
  { name: 'process_data', action: 'process' },
  { name: 'store_result', action: 'store' },
];

const SEED_INPUT = { user_id: 123, action: 'transcribe' };

/** Handlers for the seed's workflow that each wait for the test to let them finish. */
function steppedHandlers() {
  const gates = new Map<string, Gate>();
  const entered = new Map<string, Gate>();
  const at = (name: string, map: Map<string, Gate>) => {
    let g = map.get(name);
    if (!g) {
      g = gate();
      map.set(name, g);
    }
    return g;
  };
  const handler = (name: string, output: (input: unknown) => unknown) => async (input: unknown) => {
    at(name, entered).open();
    await at(name, gates).promise;
    return output(input);
  };
  return {
    actions: {
      validate: handler('validate', (input) => ({ valid: true, input })),
      process: handler('process', () => ({ transcript: 'hello' })),
      store: handler('store', () => ({ stored: true })),
    },
    /** Waits until `name` started. */
    started(name: string): Promise<void> {
      return at(name, entered).promise;
    },
    /** Waits until `name` started, then lets it finish. */
    async release(name: string) {
      await at(name, entered).promise;
      at(name, gates).open();
    },
  };
}

describe('Workflow Orchestration', () => {
  it('Workflow definition', async () => {
    const orch = await withOrchestrator({ store: tempSqliteUrl() });
    const workflow = await orch.workflowEngine.defineWorkflow('user_workflow', USER_WORKFLOW);
    expect(workflow).toMatchObject({ id: 'user_workflow', version: 1, steps: USER_WORKFLOW });
    expect(workflow.createdAt).toBeInstanceOf(Date);
    expect(await orch.workflowEngine.getWorkflow('user_workflow')).toMatchObject({
      id: 'user_workflow',
      version: 1,
      steps: USER_WORKFLOW,
    });
    expect(orch.workflowEngine.listWorkflows().map((w) => w.id)).toEqual(['user_workflow']);
    // Defining the same steps again is idempotent; invalid definitions are refused.
    expect((await orch.workflowEngine.defineWorkflow('user_workflow', USER_WORKFLOW)).version).toBe(1);
    await expect(
      orch.workflowEngine.defineWorkflow('broken', [{ name: 'a' }, { name: 'a' }]),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('Workflow execution', async () => {
    const order: string[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      actions: {
        validate: () => order.push('validate'),
        process: () => order.push('process'),
        store: () => order.push('store'),
      },
    });
    await orch.workflowEngine.defineWorkflow('user_workflow', USER_WORKFLOW);
    const executionId = await orch.workflowEngine.executeWorkflow('user_workflow', SEED_INPUT);
    expect(typeof executionId).toBe('string');
    const status = await orch.workflowEngine.waitForCompletion(executionId, { timeout: 10 });
    expect(status).toMatchObject({
      id: executionId,
      workflowId: 'user_workflow',
      status: 'completed',
      stepsCompleted: 3,
      totalSteps: 3,
      inputData: SEED_INPUT,
    });
    expect(status.startedAt).toBeInstanceOf(Date);
    expect(status.completedAt).toBeInstanceOf(Date);
    expect(order).toEqual(['validate', 'process', 'store']);
    expect(await orch.workflowEngine.getExecutionStatus(executionId)).toEqual(status);
  });

  it('Step completion tracking', async () => {
    const h = steppedHandlers();
    const orch = await withOrchestrator({ store: 'memory', actions: h.actions });
    await orch.workflowEngine.defineWorkflow('user_workflow', USER_WORKFLOW);
    const id = await orch.workflowEngine.executeWorkflow('user_workflow', SEED_INPUT);
    const progress = async () => {
      const s = await orch.workflowEngine.getExecutionStatus(id);
      return [s?.stepsCompleted, s?.totalSteps, s?.steps.map((x) => x.status)];
    };
    const step = (n: number) => waitForStatus(orch, id, (s) => s.stepsCompleted === n);
    await h.started('validate');
    expect(await progress()).toEqual([0, 3, ['running', 'pending', 'pending']]);
    await h.release('validate');
    await step(1);
    expect(await progress()).toEqual([1, 3, ['completed', 'running', 'pending']]);
    await h.release('process');
    await step(2);
    expect(await progress()).toEqual([2, 3, ['completed', 'completed', 'running']]);
    await h.release('store');
    const done = await orch.workflowEngine.waitForCompletion(id);
    expect([done.stepsCompleted, done.totalSteps, done.status]).toEqual([3, 3, 'completed']);
    for (const s of done.steps) {
      expect(s.attempts).toBe(1);
      expect(s.completedAt?.getTime()).toBeGreaterThanOrEqual(s.startedAt?.getTime() ?? Number.NaN);
    }
  });

  it('Input data handling', async () => {
    const received: Record<string, unknown> = {};
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      actions: {
        validate: (input) => {
          received.validate = input;
          return { ok: true };
        },
        process: (input) => {
          received.process = input;
          return { text: 'hi' };
        },
        store: (input) => {
          received.store = input;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('user_workflow', [
      { name: 'validate_input', action: 'validate' },
      { name: 'process_data', action: 'process' },
      {
        name: 'store_result',
        action: 'store',
        input: "{'user': input.user_id, 'text': steps.process_data.output.text}",
      },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('user_workflow', SEED_INPUT);
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.inputData).toEqual(SEED_INPUT);
    expect(received).toEqual({
      validate: SEED_INPUT,
      process: SEED_INPUT,
      store: { user: 123, text: 'hi' },
    });
    // No input means an empty object; input that is not JSON is refused up front.
    const empty = await orch.workflowEngine.executeWorkflow('user_workflow');
    expect((await orch.workflowEngine.waitForCompletion(empty)).inputData).toEqual({});
    await expect(
      orch.workflowEngine.executeWorkflow('user_workflow', { when: () => 1 } as unknown as object),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('Output data collection', async () => {
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      actions: {
        validate: () => ({ valid: true }),
        process: () => ({ transcript: 'hello world', words: 2 }),
        store: () => 'rec_1',
        a: () => 1,
        b: () => [2, 3],
      },
    });
    await orch.workflowEngine.defineWorkflow('user_workflow', [
      ...USER_WORKFLOW,
      { name: 'fan_out', parallel: [{ name: 'a' }, { name: 'b' }] },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('user_workflow', SEED_INPUT);
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.outputData).toEqual({
      validate_input: { valid: true },
      process_data: { transcript: 'hello world', words: 2 },
      store_result: 'rec_1',
      fan_out: { a: 1, b: [2, 3] },
    });
    expect(status.steps.map((s) => s.output)).toEqual([
      { valid: true },
      { transcript: 'hello world', words: 2 },
      'rec_1',
      { a: 1, b: [2, 3] },
    ]);
  });

  it('Workflow cancellation', async () => {
    const inProcess = gate();
    let aborted = false;
    const undone: string[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      actions: {
        validate: () => ({ valid: true }),
        process: async (_i, ctx) => {
          inProcess.open();
          try {
            await untilAborted(ctx.signal);
          } finally {
            aborted = true;
          }
        },
        store: () => undone.push('store ran'),
      },
      compensations: { undo_validate: () => undone.push('undo_validate') },
    });
    await orch.workflowEngine.defineWorkflow('user_workflow', [
      { name: 'validate_input', action: 'validate', compensation: 'undo_validate' },
      { name: 'process_data', action: 'process' },
      { name: 'store_result', action: 'store' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('user_workflow', SEED_INPUT);
    await inProcess.promise;
    const success = await orch.workflowEngine.cancelWorkflow(id);
    expect(success).toBe(true);
    expect(aborted).toBe(true);
    const status = await orch.workflowEngine.getExecutionStatus(id);
    expect(status?.status).toBe('cancelled');
    expect(status?.stepsCompleted).toBe(1);
    expect(undone).toEqual(['undo_validate']);
    expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(false);
    expect(await orch.workflowEngine.cancelWorkflow('exec_unknown')).toBe(false);
  });

  it('Running workflow tracking', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      actions: { validate: () => hold.promise, process: () => 1, store: () => 1, quick: () => 1 },
    });
    await orch.workflowEngine.defineWorkflow('user_workflow', USER_WORKFLOW);
    await orch.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    const running = [
      await orch.workflowEngine.executeWorkflow('user_workflow', { n: 1 }),
      await orch.workflowEngine.executeWorkflow('user_workflow', { n: 2 }),
    ];
    const finished = await orch.workflowEngine.executeWorkflow('quick');
    await orch.workflowEngine.waitForCompletion(finished);
    const listed = await orch.workflowEngine.listExecutions({ status: 'running' });
    expect(listed.map((s) => s.id).sort()).toEqual([...running].sort());
    expect(listed.every((s) => s.status === 'running' && s.workflowId === 'user_workflow')).toBe(true);
    expect(orch.getMetrics().executions.running).toBe(2);
    hold.open();
    for (const id of running) await orch.workflowEngine.waitForCompletion(id);
    expect(await orch.workflowEngine.listExecutions({ status: 'running' })).toEqual([]);
    expect(orch.getMetrics().executions).toMatchObject({ running: 0, completed: 3 });
  });

  it('Load balancing', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: 'memory',
      workers: ['worker_1', 'worker_2', 'worker_3'],
      actions: { validate: () => hold.promise, process: () => 1, store: () => 1 },
    });
    await orch.workflowEngine.defineWorkflow('user_workflow', USER_WORKFLOW);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await orch.workflowEngine.executeWorkflow('user_workflow', { i }));
    // Each execution went to the least-loaded worker (ties: the first registered).
    const workers = await Promise.all(
      ids.map(async (id) => (await orch.workflowEngine.getExecutionStatus(id))?.workerId),
    );
    expect(workers).toEqual(['worker_1', 'worker_2', 'worker_3', 'worker_1', 'worker_2', 'worker_3']);
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 2, worker_2: 2, worker_3: 2 });
    expect(orch.getMetrics().loadDistribution).toEqual({ worker_1: 2, worker_2: 2, worker_3: 2 });
    // The balancer is usable directly, as in the seed.
    const worker = orch.loadBalancer.assignWorkflow('workflow_123');
    expect(worker).toBe('worker_1');
    expect(orch.loadBalancer.assignWorkflow('workflow_123')).toBe('worker_1');
    expect(orch.loadBalancer.completeWorkflow('workflow_123')).toBe(true);
    hold.open();
    for (const id of ids) await orch.workflowEngine.waitForCompletion(id);
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 0, worker_2: 0, worker_3: 0 });
  });

  it('Load rebalancing', async () => {
    const holds = new Map<number, Gate>();
    const orch = await withOrchestrator({
      store: 'memory',
      workers: ['worker_1', 'worker_2', 'worker_3'],
      actions: {
        validate: (input) => {
          const g = gate();
          holds.set((input as { i: number }).i, g);
          return g.promise;
        },
        process: () => 1,
        store: () => 1,
      },
    });
    await orch.workflowEngine.defineWorkflow('user_workflow', USER_WORKFLOW);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await orch.workflowEngine.executeWorkflow('user_workflow', { i }));
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 1, worker_2: 1, worker_3: 1 });
    // The execution on worker_2 completes: its load drops at once...
    holds.get(1)?.open();
    await orch.workflowEngine.waitForCompletion(ids[1] as string);
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 1, worker_2: 0, worker_3: 1 });
    // ...so the next execution goes to worker_2.
    const next = await orch.workflowEngine.executeWorkflow('user_workflow', { i: 3 });
    expect((await orch.workflowEngine.getExecutionStatus(next))?.workerId).toBe('worker_2');
    expect(orch.loadBalancer.isBalanced(0.3)).toBe(true);
    // Removing a worker moves its executions to the others.
    const moved = orch.loadBalancer.removeWorker('worker_3');
    expect(Object.keys(moved)).toEqual([ids[2]]);
    expect(Object.values(moved)[0]).toMatch(/worker_[12]/);
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({
      worker_1: moved[ids[2] as string] === 'worker_1' ? 2 : 1,
      worker_2: moved[ids[2] as string] === 'worker_2' ? 2 : 1,
    });
    for (const g of holds.values()) g.open();
    for (const id of [...ids, next]) await orch.workflowEngine.waitForCompletion(id);
  });

  it('Performance optimization', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      actions: {
        validate: () => clock.sleep(20),
        process: () => clock.sleep(1500),
        store: () => clock.sleep(30),
      },
    });
    await orch.workflowEngine.defineWorkflow('user_workflow', USER_WORKFLOW);
    for (let i = 0; i < 3; i++) {
      await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('user_workflow'), {
        stepMs: 10,
      });
    }
    const optimizer = orch.performanceOptimizer;
    const avgTime = optimizer.getAvgExecutionTime('user_workflow');
    expect(avgTime).toBeGreaterThan(1550 * 0.99);
    expect(avgTime).toBeLessThan(1550 * 1.01);
    const suggestions = optimizer.suggestOptimization('user_workflow', avgTime);
    expect(suggestions.slice(0, 3)).toEqual([
      'Consider parallel execution of independent steps',
      'Review step implementations for optimization',
      'Consider caching intermediate results',
    ]);
    expect(suggestions.some((s) => s.includes('process_data'))).toBe(true);
    // At or under the slow threshold (1000 ms by default) there is nothing to suggest.
    expect(optimizer.suggestOptimization('user_workflow', 1000)).toEqual([]);
    expect(optimizer.suggestOptimization('user_workflow', 150)).toEqual([]);
    optimizer.recordExecution('seed_workflow', 150);
    expect(optimizer.getAvgExecutionTime('seed_workflow')).toBeCloseTo(150, 0);
  });
});
