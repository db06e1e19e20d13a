/**
 * `getExecutionStatus` (SPEC §4): every field of ExecutionStatus and StepStatus, timestamps,
 * workerId, totalSteps / stepsCompleted, and outputData nesting for parallel steps. Virtual
 * time makes every timestamp and duration exact.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import {
  finishWithClock,
  gate,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('execution status (%s store)', (kind) => {
  async function setup() {
    const clock = new FakeClock();
    const sleepThen =
      (ms: number, output: unknown) =>
      async (_i: unknown, ctx: { signal: AbortSignal }): Promise<unknown> => {
        await clock.sleep(ms, ctx.signal);
        return output;
      };
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      workers: ['w_a', 'w_b'],
      actions: {
        validate: sleepThen(100, { valid: true }),
        fetch_x: sleepThen(50, { x: 1 }),
        fetch_y: sleepThen(200, { y: 2 }),
        store: sleepThen(10, 'stored'),
      },
    });
    await orch.workflowEngine.defineWorkflow('pipeline', [
      { name: 'validate' },
      { name: 'fetch', parallel: [{ name: 'fetch_x' }, { name: 'fetch_y' }] },
      { name: 'check', condition: 'result.fetch_y.y == 2' },
      { name: 'store' },
    ]);
    return { clock, orch };
  }

  it('reports every field of a completed execution with exact timestamps', async () => {
    const { clock, orch } = await setup();
    const t0 = clock.now();
    const input = { user_id: 123, action: 'transcribe' };
    const id = await orch.workflowEngine.executeWorkflow('pipeline', input);
    const status = await finishWithClock(orch, clock, id, { stepMs: 10 });
    expect(status).toMatchObject({
      id,
      workflowId: 'pipeline',
      workflowVersion: 1,
      status: 'completed',
      stepsCompleted: 4,
      totalSteps: 4,
      inputData: input,
      outputData: {
        validate: { valid: true },
        fetch: { fetch_x: { x: 1 }, fetch_y: { y: 2 } },
        store: 'stored',
      },
      compensatedSteps: [],
      workerId: 'w_a',
    });
    expect(status.error).toBeUndefined();
    expect(status.startedAt).toEqual(new Date(t0));
    expect(status.completedAt).toEqual(new Date(t0 + 310));

    const [validate, fetch, check, store] = status.steps;
    expect(validate).toMatchObject({
      name: 'validate',
      status: 'completed',
      attempts: 1,
      startedAt: new Date(t0),
      completedAt: new Date(t0 + 100),
      durationMs: 100,
      output: { valid: true },
    });
    expect(validate?.error).toBeUndefined();
    expect(fetch).toMatchObject({
      name: 'fetch',
      status: 'completed',
      startedAt: new Date(t0 + 100),
      completedAt: new Date(t0 + 300),
      durationMs: 200,
      output: { fetch_x: { x: 1 }, fetch_y: { y: 2 } },
    });
    expect(fetch?.branches).toEqual([
      expect.objectContaining({
        name: 'fetch_x',
        status: 'completed',
        attempts: 1,
        startedAt: new Date(t0 + 100),
        completedAt: new Date(t0 + 150),
        durationMs: 50,
        output: { x: 1 },
      }),
      expect.objectContaining({
        name: 'fetch_y',
        status: 'completed',
        attempts: 1,
        startedAt: new Date(t0 + 100),
        completedAt: new Date(t0 + 300),
        durationMs: 200,
        output: { y: 2 },
      }),
    ]);
    expect(check).toMatchObject({ name: 'check', status: 'completed' });
    expect(check?.branches).toBeUndefined();
    expect(store).toMatchObject({
      name: 'store',
      status: 'completed',
      startedAt: new Date(t0 + 300),
      completedAt: new Date(t0 + 310),
      durationMs: 10,
      output: 'stored',
    });
    // The same status comes back from the store once the execution left memory.
    expect(await orch.workflowEngine.getExecutionStatus(id)).toEqual(status);
    expect((await orch.workflowEngine.listExecutions({})).find((s) => s.id === id)).toEqual(status);
  });

  it('tracks progress while running: stepsCompleted, step states, partial outputData, workerId', async () => {
    const { clock, orch } = await setup();
    const t0 = clock.now();
    const id = await orch.workflowEngine.executeWorkflow('pipeline', {});
    await clock.advance(170);
    const mid = await orch.workflowEngine.getExecutionStatus(id);
    expect(mid).toMatchObject({ status: 'running', stepsCompleted: 1, totalSteps: 4, workerId: 'w_a' });
    expect(mid?.completedAt).toBeUndefined();
    expect(mid?.outputData).toEqual({ validate: { valid: true } });
    expect(mid?.steps.map((s) => s.status)).toEqual(['completed', 'running', 'pending', 'pending']);
    expect(mid?.steps[1]?.branches?.map((b) => b.status)).toEqual(['completed', 'running']);
    expect(mid?.steps[1]?.branches?.[1]?.startedAt).toEqual(new Date(t0 + 100));
    expect(mid?.steps[1]?.branches?.[1]?.completedAt).toBeUndefined();
    expect(mid?.steps[3]).toEqual({ name: 'store', status: 'pending', attempts: 0 });
    await finishWithClock(orch, clock, id);
  });

  it('spreads concurrent executions over the configured workers (status.workerId)', async () => {
    const { clock, orch } = await setup();
    const a = await orch.workflowEngine.executeWorkflow('pipeline', {});
    const b = await orch.workflowEngine.executeWorkflow('pipeline', {});
    await clock.advance(1);
    const workers = await Promise.all(
      [a, b].map(async (id) => (await orch.workflowEngine.getExecutionStatus(id))?.workerId),
    );
    expect(workers).toEqual(['w_a', 'w_b']);
    const done = await Promise.all([a, b].map((id) => finishWithClock(orch, clock, id)));
    expect(done.map((s) => s.workerId)).toEqual(['w_a', 'w_b']);
  });

  it('reports a pending execution with startedAt, no completedAt and no progress', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 1,
      actions: { block: () => hold.promise },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }, { name: 'end', action: 'noop' }]);
    await orch.workflowEngine.executeWorkflow('w');
    const id = await orch.workflowEngine.executeWorkflow('w', { queued: true });
    const status = await orch.workflowEngine.getExecutionStatus(id);
    expect(status).toMatchObject({
      id,
      status: 'pending',
      stepsCompleted: 0,
      totalSteps: 2,
      inputData: { queued: true },
      outputData: {},
      compensatedSteps: [],
    });
    expect(status?.startedAt).toBeInstanceOf(Date);
    expect(status?.completedAt).toBeUndefined();
    expect(status?.steps).toEqual([
      { name: 'block', status: 'pending', attempts: 0 },
      { name: 'end', status: 'pending', attempts: 0 },
    ]);
    hold.open();
  });

  it('reports a failed execution with the error of the step that failed it', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: {
        a: () => 'a',
        b: async () => {
          await clock.sleep(40);
          throw Object.assign(new Error('quota exceeded'), { code: 'E_QUOTA' });
        },
        c: () => 'c',
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const t0 = clock.now();
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'), {
      stepMs: 10,
    });
    expect(status).toMatchObject({
      status: 'failed',
      stepsCompleted: 1,
      totalSteps: 3,
      outputData: { a: 'a' },
      error: { code: 'E_QUOTA', message: 'quota exceeded', step: 'b' },
    });
    expect(status.completedAt).toEqual(new Date(t0 + 40));
    expect(status.steps[1]).toMatchObject({
      name: 'b',
      status: 'failed',
      attempts: 1,
      durationMs: 40,
      error: { code: 'E_QUOTA', message: 'quota exceeded', step: 'b' },
    });
    expect(status.steps[1]?.output).toBeUndefined();
    expect(status.steps[2]?.status).not.toBe('completed');
    expect(status.steps[2]?.attempts).toBe(0);
    expect(status.steps[2]?.startedAt).toBeUndefined();
  });

  it('returns null for an unknown execution id', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    expect(await orch.workflowEngine.getExecutionStatus('exec_nope')).toBeNull();
  });
});

describe('outputData', () => {
  it('maps every completed top-level step, also one that returned nothing (null)', async () => {
    const orch = await withOrchestrator({
      actions: { a: () => null, b1: () => 1, b2: () => undefined, c: () => 'C' },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'p', parallel: [{ name: 'b1' }, { name: 'b2' }] },
      { name: 'c' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.stepsCompleted).toBe(3);
    expect(status.outputData).toEqual({ a: null, p: { b1: 1, b2: null }, c: 'C' });
  });
});
