/**
 * Parallel steps (SPEC §3): branches run concurrently; the step completes when all do; its
 * output is keyed by branch name; if one branch fails, the others are cancelled (their signal
 * aborts) and the step fails; compensation covers the branches that completed.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import {
  collectEvents,
  finishWithClock,
  gate,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('parallel steps (%s store)', (kind) => {
  it('runs the branches concurrently and completes when all have', async () => {
    const started = new Set<string>();
    const all = gate();
    const branch = (name: string) => async () => {
      started.add(name);
      if (started.size === 3) all.open();
      // Each branch waits until all three have started: only concurrent branches get past this.
      await all.promise;
      return { branch: name };
    };
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { task1: branch('task1'), task2: branch('task2'), task3: branch('task3'), after: (i) => i },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      { name: 'parallel_processing', parallel: [{ name: 'task1' }, { name: 'task2' }, { name: 'task3' }] },
      { name: 'after', input: 'result' },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.status).toBe('completed');
    const expected = { task1: { branch: 'task1' }, task2: { branch: 'task2' }, task3: { branch: 'task3' } };
    expect(status.outputData.parallel_processing).toEqual(expected);
    // The parallel step's output is the next step's `result`.
    expect(status.outputData.after).toEqual(expected);
    const par = status.steps[0];
    expect(par?.status).toBe('completed');
    expect(par?.branches?.map((b) => [b.name, b.status])).toEqual([
      ['task1', 'completed'],
      ['task2', 'completed'],
      ['task3', 'completed'],
    ]);
  });

  it("uses each branch's name as its action by default and `action` when given", async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { fetch_a: () => 'A', shared: (_i, ctx) => `shared:${ctx.stepName}` },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      {
        name: 'p',
        parallel: [
          { name: 'fetch_a' },
          { name: 'fetch_b', action: 'shared' },
          { name: 'fetch_c', action: 'shared' },
        ],
      },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.outputData).toEqual({
      p: { fetch_a: 'A', fetch_b: 'shared:fetch_b', fetch_c: 'shared:fetch_c' },
    });
  });

  it('gives each branch its input like an ordinary step: the workflow input, else its input expression', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { before: () => ({ previous: true }), plain: (i) => i, shaped: (i) => i },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      { name: 'before' },
      {
        name: 'p',
        parallel: [{ name: 'plain' }, { name: 'shaped', input: "{'prev': result, 'id': input.id}" }],
      },
    ]);
    const status = await runToEnd(orch, 'par', { id: 7 });
    expect(status.outputData.p).toEqual({ plain: { id: 7 }, shaped: { prev: { previous: true }, id: 7 } });
  });

  it('cancels the other branches when one fails (their signal aborts) and fails the step with its error', async () => {
    const aborted: string[] = [];
    const bothStarted = gate();
    let started = 0;
    const waiting = (name: string) => async (_input: unknown, ctx: { signal: AbortSignal }) => {
      if (++started === 2) bothStarted.open();
      try {
        await untilAborted(ctx.signal);
      } finally {
        aborted.push(name);
      }
    };
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        slow1: waiting('slow1'),
        slow2: waiting('slow2'),
        broken: async () => {
          await bothStarted.promise;
          throw Object.assign(new Error('disk full'), { code: 'E_DISK' });
        },
        after: () => ran.push('after'),
      },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      { name: 'p', parallel: [{ name: 'slow1' }, { name: 'broken' }, { name: 'slow2' }] },
      { name: 'after' },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'E_DISK', message: 'disk full', step: 'broken' });
    expect(aborted.sort()).toEqual(['slow1', 'slow2']);
    expect(ran).toEqual([]);
    const p = status.steps[0];
    expect(p?.status).toBe('failed');
    const branches = Object.fromEntries((p?.branches ?? []).map((b) => [b.name, b.status]));
    expect(branches).toEqual({ slow1: 'cancelled', broken: 'failed', slow2: 'cancelled' });
  });

  it('does not wait for a cancelled branch that ignores its signal', async () => {
    const never = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        stubborn: () => never.promise,
        broken: async () => {
          await new Promise((r) => setImmediate(r));
          throw new Error('nope');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      { name: 'p', parallel: [{ name: 'stubborn' }, { name: 'broken' }] },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_FAILED', step: 'broken' });
    never.open();
  });

  it('compensates the branches that completed (and earlier steps), but not the cancelled or failed ones', async () => {
    const compensated: string[] = [];
    const done = gate();
    let completed = 0;
    const fast = (name: string) => () => {
      if (++completed === 2) done.open();
      return { id: name };
    };
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve: () => ({ id: 'r' }),
        fast1: fast('fast1'),
        fast2: fast('fast2'),
        slow: (_i, ctx) => untilAborted(ctx.signal),
        broken: async () => {
          await done.promise;
          throw new Error('payment declined');
        },
      },
      compensations: {
        undo_reserve: (out) => compensated.push(`reserve:${JSON.stringify(out)}`),
        undo_fast: (out) => compensated.push(`fast:${JSON.stringify(out)}`),
        undo_slow: () => compensated.push('slow'),
        undo_broken: () => compensated.push('broken'),
      },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      { name: 'reserve', compensation: 'undo_reserve' },
      {
        name: 'p',
        parallel: [
          { name: 'fast1', compensation: 'undo_fast' },
          { name: 'slow', compensation: 'undo_slow' },
          { name: 'broken', compensation: 'undo_broken' },
          { name: 'fast2', compensation: 'undo_fast' },
        ],
      },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.status).toBe('failed');
    // Branches completed fast1 then fast2 (after reserve): reverse completion order.
    expect(compensated).toEqual(['fast:{"id":"fast2"}', 'fast:{"id":"fast1"}', 'reserve:{"id":"r"}']);
    expect(status.compensatedSteps).toEqual(['fast2', 'fast1', 'reserve']);
  });

  it('compensates a completed parallel step with its own compensation when a later step fails', async () => {
    const calls: unknown[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        a: () => 1,
        b: () => 2,
        fail: () => {
          throw new Error('later failure');
        },
      },
      compensations: { undo_group: (out) => calls.push(out) },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      { name: 'group', parallel: [{ name: 'a' }, { name: 'b' }], compensation: 'undo_group' },
      { name: 'fail' },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.status).toBe('failed');
    expect(calls).toEqual([{ a: 1, b: 2 }]);
    expect(status.compensatedSteps).toEqual(['group']);
  });

  it('compensates a completed parallel step before its branches, the branches by completion (a retried one last to complete, first undone)', async () => {
    const clock = new FakeClock();
    const undone: string[] = [];
    let b1Runs = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: {
        first: () => 'first',
        b1: () => {
          if (++b1Runs === 1) throw new Error('transient');
          return 'b1';
        },
        b2: () => 'b2',
        boom: () => {
          throw new Error('later failure');
        },
      },
      compensations: { undo: (out, ctx) => undone.push(`${ctx.stepName}:${JSON.stringify(out)}`) },
    });
    const events = collectEvents(orch, ['execution.compensating', 'compensation.started']);
    await orch.workflowEngine.defineWorkflow('par', [
      { name: 'first', compensation: 'undo' },
      {
        name: 'group',
        compensation: 'undo',
        parallel: [
          { name: 'b1', retry: true, compensation: 'undo' },
          { name: 'b2', compensation: 'undo' },
        ],
      },
      { name: 'boom' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('par');
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('failed');
    expect(undone).toEqual(['group:{"b1":"b1","b2":"b2"}', 'b1:"b1"', 'b2:"b2"', 'first:"first"']);
    expect(status.compensatedSteps).toEqual(['group', 'b1', 'b2', 'first']);
    expect(events.of('execution.compensating').map((e) => e.steps)).toEqual([['group', 'b1', 'b2', 'first']]);
    expect(events.of('compensation.started').map((e) => [e.step, e.parent])).toEqual([
      ['group', undefined],
      ['b1', 'group'],
      ['b2', 'group'],
      ['first', undefined],
    ]);
  });

  it('retries a failing branch under its own retry policy without disturbing its siblings', async () => {
    let tries = 0;
    let siblingRuns = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        flaky: () => {
          if (++tries < 2) throw new Error('transient');
          return 'ok';
        },
        steady: () => ++siblingRuns,
      },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      {
        name: 'p',
        parallel: [{ name: 'flaky', retry: { maxAttempts: 2, initialDelay: 0.001 } }, { name: 'steady' }],
      },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.status).toBe('completed');
    expect(status.outputData.p).toEqual({ flaky: 'ok', steady: 1 });
    expect(status.steps[0]?.branches?.find((b) => b.name === 'flaky')?.attempts).toBe(2);
    expect(siblingRuns).toBe(1);
  });

  it("shows each branch's output under its own name in a later step's ctx.outputs and in `steps`", async () => {
    let seen: unknown;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        x: () => 'X',
        y: () => 'Y',
        after: (_input, ctx) => {
          seen = { ...ctx.outputs };
          return 'done';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      { name: 'p', parallel: [{ name: 'x' }, { name: 'y' }] },
      { name: 'check', condition: "steps.x.output == 'X' && steps.p.output.y == 'Y'", else: 'last' },
      { name: 'after' },
      { name: 'last', action: 'noop' },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.status).toBe('completed');
    expect(status.steps.find((s) => s.name === 'check')?.decision).toBe('then');
    expect(seen).toEqual({ p: { x: 'X', y: 'Y' }, x: 'X', y: 'Y' });
    // outputData lists top-level steps only; the parallel step's output nests its branches'.
    expect(Object.keys(status.outputData)).toEqual(['p', 'after', 'last']);
  });

  it('cancels a sibling waiting for its retry when another branch fails for good; it does not run again', async () => {
    let flakyRuns = 0;
    const flakyFailed = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        flaky: () => {
          flakyRuns++;
          flakyFailed.open();
          throw new Error('transient');
        },
        broken: async () => {
          await flakyFailed.promise;
          throw new Error('declined');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('par', [
      {
        name: 'p',
        parallel: [{ name: 'flaky', retry: { maxAttempts: 5, initialDelay: 60 } }, { name: 'broken' }],
      },
    ]);
    const status = await runToEnd(orch, 'par');
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_FAILED', message: 'declined', step: 'broken' });
    expect(flakyRuns).toBe(1);
    expect(status.steps[0]?.branches?.map((b) => [b.name, b.status, b.attempts])).toEqual([
      ['flaky', 'cancelled', 1],
      ['broken', 'failed', 1],
    ]);
  });
});
