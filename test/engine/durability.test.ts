/**
 * Durability (SPEC §6), on a SQLite file: closing an orchestrator mid-run and opening another
 * on the same file resumes every unfinished execution from its stored position (completed steps
 * are not run again, the interrupted one runs again with the same idempotency key); backoff
 * waits, `delay` timers and the workflow deadline are absolute times that survive the restart;
 * compensation resumes where it stopped; `executeWorkflow` resolves only after the execution is
 * stored; another orchestrator on the same file can cancel it. `close` stops taking work (both
 * stores). (Kill -9 crashes are covered by test/recovery.)
 */
import { describe, expect, it } from 'vitest';
import {
  type ActionHandler,
  ClosedError,
  FakeClock,
  type Orchestrator,
  type OrchestratorOptions,
} from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import {
  driveClock,
  finishWithClock,
  gate,
  STORE_KINDS,
  storeUrl,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** A handler that never finishes on its own (it stops when its signal aborts). */
const hang: ActionHandler = (_i, ctx) => untilAborted(ctx.signal);

describe('durability (sqlite store)', () => {
  it('resumes from the stored position after a close: completed steps are not rerun', async () => {
    const store = tempSqliteUrl();
    const inB = gate();
    const calls: { step: string; key: string; process: number }[] = [];
    const record =
      (process: number, step: string, output: unknown): ActionHandler =>
      (_i, ctx) => {
        calls.push({ step, key: ctx.idempotencyKey, process });
        return output;
      };
    const first = await withOrchestrator({
      store,
      actions: {
        a: record(1, 'a', { a: 1 }),
        b: (input, ctx) => {
          record(1, 'b', null)(input, ctx);
          inB.open();
          return hang(input, ctx);
        },
        c: record(1, 'c', 'c'),
      },
    });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const id = await first.workflowEngine.executeWorkflow('w', { order: 7 });
    await inB.promise;
    await first.close();

    const second = await withOrchestrator({
      store,
      actions: {
        a: record(2, 'a', { a: 2 }),
        b: (input, ctx) => {
          calls.push({ step: 'b', key: ctx.idempotencyKey, process: 2 });
          return { input, seen: { ...ctx.outputs } };
        },
        c: record(2, 'c', 'c'),
      },
    });
    const status = await second.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.error).toBeUndefined();
    expect(status.status).toBe('completed');
    expect(calls.map((c) => `${c.step}@${c.process}`)).toEqual(['a@1', 'b@1', 'b@2', 'c@2']);
    const keys = calls.filter((c) => c.step === 'b').map((c) => c.key);
    expect(keys[0]).toBe(keys[1]);
    // The resumed step sees the stored outputs of the completed ones and the original input.
    expect(status.outputData).toEqual({
      a: { a: 1 },
      b: { input: { order: 7 }, seen: { a: { a: 1 } } },
      c: 'c',
    });
    expect(status.stepsCompleted).toBe(3);
    expect(status.steps[1]?.attempts).toBeGreaterThanOrEqual(2);
  });

  it('reruns only the unfinished branches of a parallel step', async () => {
    const store = tempSqliteUrl();
    const xDone = gate();
    const inY = gate();
    const calls: string[] = [];
    const first = await withOrchestrator({
      store,
      actions: {
        x: () => {
          calls.push('x@1');
          xDone.open();
          return 'X';
        },
        y: async (i, ctx) => {
          calls.push('y@1');
          await xDone.promise;
          inY.open();
          return hang(i, ctx);
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'p', parallel: [{ name: 'x' }, { name: 'y' }] }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await inY.promise;
    // Let x's commit land before the close.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await first.close();
    const second = await withOrchestrator({
      store,
      actions: {
        x: () => calls.push('x@2'),
        y: () => {
          calls.push('y@2');
          return 'Y';
        },
      },
    });
    const status = await second.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(calls).toEqual(['x@1', 'y@1', 'y@2']);
    expect(status.outputData).toEqual({ p: { x: 'X', y: 'Y' } });
  });

  it("reuses a conditional step's stored decision after a restart: the condition is not evaluated again", async () => {
    const store = tempSqliteUrl();
    const inB = gate();
    const first = await withOrchestrator({
      store,
      actions: {
        a: () => ({ go: true }),
        b: (input, ctx) => {
          inB.open();
          return hang(input, ctx);
        },
      },
    });
    const decided: string[] = [];
    first.on('step.decided', (e) => decided.push(`${e.step}:${e.decision}@1`));
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      // biome-ignore lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
      { name: 'c', condition: 'result.go', then: 'b', else: 'x' },
      { name: 'x', action: 'noop' },
      { name: 'b' },
    ]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await inB.promise;
    await first.close();

    // Listeners added before recovery see every event of the resumed execution.
    const second = await withOrchestrator({
      store,
      actions: { a: () => ({ go: false }), b: () => 'B' },
      on: { 'step.decided': (e) => decided.push(`${e.step}:${e.decision}@2`) },
    });
    const status = await second.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(decided).toEqual(['c:then@1']);
    expect(status.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'completed'],
      ['c', 'completed'],
      ['x', 'skipped'],
      ['b', 'completed'],
    ]);
    expect(status.steps[1]).toMatchObject({ decision: 'then' });
    expect(status.outputData).toEqual({ a: { go: true }, b: 'B' });
  });

  it('keeps definitions, finished executions and their status across a restart', async () => {
    const store = tempSqliteUrl();
    const first = await withOrchestrator({ store, actions: { a: () => ({ kept: true }) } });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const id = await first.workflowEngine.executeWorkflow('w', { n: 1 });
    const before = await first.workflowEngine.waitForCompletion(id);
    await first.close();
    const second = await withOrchestrator({ store, actions: { a: () => ({ kept: true }) } });
    expect(await second.workflowEngine.getExecutionStatus(id)).toEqual(before);
    expect((await second.workflowEngine.getWorkflow('w'))?.version).toBe(1);
    expect(second.getMetrics().executions).toMatchObject({ total: 1, completed: 1 });
    // The same definition again keeps version 1 after the restart.
    expect((await second.workflowEngine.defineWorkflow('w', [{ name: 'a' }])).version).toBe(1);
  });

  it('stores an execution before executeWorkflow resolves', async () => {
    const store = tempSqliteUrl();
    const orch = await withOrchestrator({ store, actions: { block: hang } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const reader = new SqliteStore(store.slice('sqlite:'.length));
    await reader.init();
    try {
      for (let i = 0; i < 10; i++) {
        const id = await orch.workflowEngine.executeWorkflow('w', { i });
        // Read through a second connection at once, before anything else runs.
        const snapshot = await reader.getExecution(id);
        expect(snapshot?.execution).toMatchObject({ id, workflowId: 'w', input: { i } });
      }
    } finally {
      await reader.close();
    }
  });

  describe('absolute times survive a restart (virtual time)', () => {
    async function restart(
      store: string,
      clock: FakeClock,
      options: OrchestratorOptions,
    ): Promise<Orchestrator> {
      return withOrchestrator({ store, clock, ...options });
    }

    it('keeps the stored retry time of a backoff wait', async () => {
      const store = tempSqliteUrl();
      const clock = new FakeClock();
      const t0 = clock.now();
      const runs: number[] = [];
      const failing = () => {
        runs.push(clock.now() - t0);
        throw new Error('down');
      };
      const first = await restart(store, clock, { actions: { call: failing } });
      await first.workflowEngine.defineWorkflow('w', [
        { name: 'call', retry: { maxAttempts: 1, initialDelay: 10 } },
      ]);
      const id = await first.workflowEngine.executeWorkflow('w');
      await clock.advance(3000);
      await first.close();
      await clock.advance(2000);
      const second = await restart(store, clock, {
        actions: {
          call: () => {
            runs.push(clock.now() - t0);
            return 'ok';
          },
        },
      });
      const status = await finishWithClock(second, clock, id, { stepMs: 500 });
      expect(status.status).toBe('completed');
      // Retry at t0 + 10 s as stored, not 10 s after the restart.
      expect(runs).toEqual([0, 10_000]);
    });

    it('keeps the stored end of a delay step', async () => {
      const store = tempSqliteUrl();
      const clock = new FakeClock();
      const t0 = clock.now();
      let after = -1;
      const first = await restart(store, clock, { actions: { after: () => 1 } });
      await first.workflowEngine.defineWorkflow('w', [
        { name: 'wait', action: 'delay', input: "{'seconds': 60}" },
        { name: 'after' },
      ]);
      const id = await first.workflowEngine.executeWorkflow('w');
      await clock.advance(20_000);
      await first.close();
      await clock.advance(5_000);
      const second = await restart(store, clock, { actions: { after: () => (after = clock.now() - t0) } });
      const status = await finishWithClock(second, clock, id, { stepMs: 1000 });
      expect(status.status).toBe('completed');
      expect(after).toBe(60_000);
    });

    it('keeps the workflow deadline', async () => {
      const store = tempSqliteUrl();
      const clock = new FakeClock();
      const first = await restart(store, clock, { actions: { block: hang } });
      await first.workflowEngine.defineWorkflow('w', [{ name: 'block' }], { timeout: 30 });
      const id = await first.workflowEngine.executeWorkflow('w');
      await clock.advance(20_000);
      await first.close();
      const second = await restart(store, clock, { actions: { block: hang } });
      const status = await finishWithClock(second, clock, id, { stepMs: 1000 });
      expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
      expect((status.completedAt?.getTime() ?? 0) - status.startedAt.getTime()).toBe(30_000);
    });
  });

  it('resumes compensation where it stopped, without repeating finished compensations', async () => {
    const store = tempSqliteUrl();
    const inUndoA = gate();
    const calls: string[] = [];
    const first = await withOrchestrator({
      store,
      actions: {
        a: () => 'a',
        b: () => 'b',
        boom: () => {
          throw new Error('boom');
        },
      },
      compensations: {
        undo_b: () => calls.push('undo_b@1'),
        undo_a: async (out, ctx) => {
          calls.push('undo_a@1');
          inUndoA.open();
          await untilAborted(ctx.signal);
          void out;
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'b', compensation: 'undo_b' },
      { name: 'boom' },
    ]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await inUndoA.promise;
    expect((await first.workflowEngine.getExecutionStatus(id))?.status).toBe('compensating');
    await first.close();
    const second = await withOrchestrator({
      store,
      actions: { a: () => 'a', b: () => 'b', boom: () => 'never again' },
      compensations: { undo_b: () => calls.push('undo_b@2'), undo_a: () => calls.push('undo_a@2') },
    });
    const status = await second.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('failed');
    expect(status.error?.step).toBe('boom');
    expect(calls).toEqual(['undo_b@1', 'undo_a@1', 'undo_a@2']);
    expect(status.compensatedSteps).toEqual(['b', 'a']);
  });

  it('resumes a queued (pending) execution after a restart', async () => {
    const store = tempSqliteUrl();
    const inFirst = gate();
    const ran: string[] = [];
    const first = await withOrchestrator({
      store,
      maxConcurrentWorkflows: 1,
      actions: {
        work: (input, ctx) => {
          ran.push(`1:${JSON.stringify(input)}`);
          inFirst.open();
          return hang(input, ctx);
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
    const a = await first.workflowEngine.executeWorkflow('w', { n: 'a' });
    const b = await first.workflowEngine.executeWorkflow('w', { n: 'b' });
    await inFirst.promise;
    expect((await first.workflowEngine.getExecutionStatus(b))?.status).toBe('pending');
    await first.close();
    const second = await withOrchestrator({
      store,
      actions: { work: (input) => ran.push(`2:${JSON.stringify(input)}`) },
    });
    expect((await second.workflowEngine.waitForCompletion(a, { timeout: 10 })).status).toBe('completed');
    expect((await second.workflowEngine.waitForCompletion(b, { timeout: 10 })).status).toBe('completed');
    expect(ran).toEqual(['1:{"n":"a"}', '2:{"n":"a"}', '2:{"n":"b"}']);
  });

  it('cancels an execution that another orchestrator on the same store runs', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const inStep = gate();
    const compensated: string[] = [];
    const owner = await withOrchestrator({
      store,
      clock,
      actions: {
        a: () => 'a',
        block: (_i, ctx) => {
          inStep.open();
          return untilAborted(ctx.signal);
        },
      },
      compensations: { undo_a: () => compensated.push('undo_a') },
    });
    await owner.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'block' },
    ]);
    const id = await owner.workflowEngine.executeWorkflow('w');
    await inStep.promise;
    const other = await withOrchestrator({ store, clock });
    const cancelled = await driveClock(clock, other.workflowEngine.cancelWorkflow(id), {
      stepMs: 100,
      maxMs: 60_000,
    });
    expect(cancelled).toBe(true);
    expect((await other.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
    expect(compensated).toEqual(['undo_a']);
  });
});

describe.each(STORE_KINDS)('close (%s store)', (kind) => {
  it('stops taking work: every call that needs the engine rejects with ClosedError', async () => {
    const inStep = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        block: (_i, ctx) => {
          inStep.open();
          return untilAborted(ctx.signal);
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await inStep.promise;
    const waiting = orch.workflowEngine.waitForCompletion(id).catch((e: unknown) => e);
    await orch.close();
    expect(orch.closed).toBe(true);
    expect(await waiting).toBeInstanceOf(ClosedError);
    await expect(orch.workflowEngine.executeWorkflow('w')).rejects.toBeInstanceOf(ClosedError);
    await expect(orch.workflowEngine.defineWorkflow('v', [{ name: 'a' }])).rejects.toBeInstanceOf(
      ClosedError,
    );
    await expect(orch.workflowEngine.cancelWorkflow(id)).rejects.toBeInstanceOf(ClosedError);
    // Closing twice is harmless.
    await orch.close();
  });
});
