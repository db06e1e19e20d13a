/**
 * Timeouts (SPEC §2–§4): a step timeout aborts the handler's signal and fails the attempt with
 * STEP_TIMEOUT, which a retry policy retries; the workflow timeout fails the execution with
 * WORKFLOW_TIMEOUT and compensates; a handler that ignores its signal does not hold the
 * execution. All in virtual time.
 */
import { describe, expect, it } from 'vitest';
import { type ActionHandler, createOrchestrator, FakeClock } from '../../src/index.js';
import {
  collectEvents,
  finishWithClock,
  gate,
  STORE_KINDS,
  storeUrl,
  tempSqliteUrl,
  until,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** A handler maker: each handler waits until its signal aborts, then records its name in `aborted`. */
function hangUntilAborted(aborted: string[]) {
  return (name: string) => async (_i: unknown, ctx: { signal: AbortSignal }) => {
    try {
      await untilAborted(ctx.signal);
    } finally {
      aborted.push(name);
    }
  };
}

describe.each(STORE_KINDS)('timeouts (%s store)', (kind) => {
  async function setup(options: Record<string, unknown> = {}) {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store: storeUrl(kind), clock, ...options });
    return { clock, orch };
  }

  it("aborts the handler's signal when the step times out and fails with STEP_TIMEOUT", async () => {
    const { clock, orch } = await setup();
    let abortedAt: number | null = null;
    let startedAt = 0;
    let reason: unknown;
    orch.workflowEngine.registerAction('slow', async (_i, ctx) => {
      startedAt = clock.now();
      ctx.signal.addEventListener('abort', () => {
        abortedAt = clock.now();
        reason = ctx.signal.reason;
      });
      await untilAborted(ctx.signal);
    });
    const after: string[] = [];
    orch.workflowEngine.registerAction('after', () => after.push('after'));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow', timeout: 2.5 }, { name: 'after' }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(abortedAt).toBe(startedAt + 2500);
    expect(reason).toBeInstanceOf(Error);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'slow' });
    expect(status.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(status.steps[0]?.error?.code).toBe('STEP_TIMEOUT');
    expect(after).toEqual([]);
  });

  it('retries a timed-out step under its retry policy; each attempt gets the full timeout', async () => {
    const { clock, orch } = await setup();
    const starts: number[] = [];
    orch.workflowEngine.registerAction('slow_then_fast', async (_i, ctx) => {
      starts.push(clock.now());
      if (ctx.attempt < 3) await untilAborted(ctx.signal);
      return { attempt: ctx.attempt };
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow_then_fast', timeout: 1, retry: true }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.status).toBe('completed');
    expect(status.outputData.slow_then_fast).toEqual({ attempt: 3 });
    // 1 s timeout + 1 s backoff, then 1 s timeout + 2 s backoff.
    expect(starts.slice(1).map((t, i) => t - (starts[i] as number))).toEqual([2000, 3000]);
    expect(status.steps[0]?.history?.map((h) => h.error?.code)).toEqual([
      'STEP_TIMEOUT',
      'STEP_TIMEOUT',
      undefined,
    ]);
  });

  it('fails with STEP_TIMEOUT after the last retry times out', async () => {
    const { clock, orch } = await setup();
    let runs = 0;
    orch.workflowEngine.registerAction('hang', (_i, ctx) => {
      runs++;
      return untilAborted(ctx.signal);
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'hang', timeout: 0.5, retry: { maxAttempts: 2 } },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(runs).toBe(3);
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'hang' });
  });

  it('does not let a handler that ignores its signal hold the execution', async () => {
    const { clock, orch } = await setup();
    const never = gate();
    orch.workflowEngine.registerAction('deaf', () => never.promise);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'deaf', timeout: 1 }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { maxMs: 5_000 });
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('STEP_TIMEOUT');
    expect(status.completedAt?.getTime()).toBe(status.startedAt.getTime() + 1000);
    // Its late result is discarded.
    never.open();
    await new Promise((r) => setImmediate(r));
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('failed');
  });

  it('fails the execution with WORKFLOW_TIMEOUT at the workflow timeout and compensates completed steps', async () => {
    const { clock, orch } = await setup();
    const compensated: string[] = [];
    let aborted = false;
    orch.workflowEngine.registerAction('book', () => ({ booking: 1 }));
    orch.workflowEngine.registerAction('wait_forever', async (_i, ctx) => {
      try {
        await untilAborted(ctx.signal);
      } finally {
        aborted = true;
      }
    });
    orch.errorRecovery.registerCompensation('cancel_booking', (out) => compensated.push(JSON.stringify(out)));
    await orch.workflowEngine.defineWorkflow(
      'w',
      [{ name: 'book', compensation: 'cancel_booking' }, { name: 'wait_forever' }],
      { timeout: 10 },
    );
    const events = collectEvents(orch, ['execution.failed']);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'), {
      stepMs: 1000,
    });
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(aborted).toBe(true);
    expect(compensated).toEqual(['{"booking":1}']);
    expect(status.compensatedSteps).toEqual(['book']);
    expect(status.completedAt?.getTime()).toBe(status.startedAt.getTime() + 10_000);
    expect(events.of('execution.failed')[0]?.error.code).toBe('WORKFLOW_TIMEOUT');
  });

  it('does not compensate at the workflow timeout when enableCompensation is false', async () => {
    const { clock, orch } = await setup({ enableCompensation: false });
    const compensated: string[] = [];
    orch.workflowEngine.registerAction('book', () => ({ booking: 1 }));
    orch.workflowEngine.registerAction('hang', (_i, ctx) => untilAborted(ctx.signal));
    orch.errorRecovery.registerCompensation('cancel_booking', () => compensated.push('cancel_booking'));
    await orch.workflowEngine.defineWorkflow(
      'w',
      [{ name: 'book', compensation: 'cancel_booking' }, { name: 'hang' }],
      { timeout: 5 },
    );
    const events = collectEvents(orch, ['execution.compensating', 'compensation.started']);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'), {
      stepMs: 1000,
    });
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(compensated).toEqual([]);
    expect(status.compensatedSteps).toEqual([]);
    expect(events.all).toEqual([]);
  });

  it('uses config workflowTimeout (seconds) when the definition sets none', async () => {
    const { clock, orch } = await setup({ workflowTimeout: 3 });
    orch.workflowEngine.registerAction('hang', (_i, ctx) => untilAborted(ctx.signal));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect((status.completedAt?.getTime() ?? 0) - status.startedAt.getTime()).toBe(3000);
  });

  it('times out during a retry backoff wait too', async () => {
    const { clock, orch } = await setup();
    let runs = 0;
    orch.workflowEngine.registerAction('flaky', () => {
      runs++;
      throw new Error('down');
    });
    await orch.workflowEngine.defineWorkflow(
      'w',
      [{ name: 'flaky', retry: { maxAttempts: 10, initialDelay: 4 } }],
      {
        timeout: 6,
      },
    );
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    // Runs at 0 s and 4 s; the next would be at 12 s, past the 6 s timeout.
    expect(runs).toBe(2);
    expect((status.completedAt?.getTime() ?? 0) - status.startedAt.getTime()).toBe(6000);
  });

  it('fails a parallel step that exceeds its own timeout with STEP_TIMEOUT and aborts its branches', async () => {
    const { clock, orch } = await setup();
    const aborted: string[] = [];
    const hang = hangUntilAborted(aborted);
    orch.workflowEngine.registerAction('x', hang('x'));
    orch.workflowEngine.registerAction('y', hang('y'));
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'p', timeout: 2, parallel: [{ name: 'x' }, { name: 'y' }] },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'p' });
    expect(aborted.sort()).toEqual(['x', 'y']);
  });

  it('times out a branch under its own timeout: STEP_TIMEOUT names the branch, its sibling is aborted', async () => {
    const { clock, orch } = await setup();
    const aborted: string[] = [];
    const hang = hangUntilAborted(aborted);
    orch.workflowEngine.registerAction('quick', hang('quick'));
    orch.workflowEngine.registerAction('slow', hang('slow'));
    await orch.workflowEngine.defineWorkflow('w', [
      {
        name: 'p',
        parallel: [
          { name: 'quick', timeout: 2 },
          { name: 'slow', timeout: 50 },
        ],
      },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'quick' });
    expect(status.steps[0]?.branches?.map((b) => [b.name, b.status, b.error?.code])).toEqual([
      ['quick', 'failed', 'STEP_TIMEOUT'],
      ['slow', 'cancelled', expect.any(String)],
    ]);
    expect(aborted).toEqual(['quick', 'slow']);
    expect((status.completedAt?.getTime() ?? 0) - status.startedAt.getTime()).toBe(2000);
  });
});

describe('a parallel step timeout across a restart (sqlite store)', () => {
  it('keeps its absolute end: the resumed step times out when its first start says', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const hang: ActionHandler = (_input, ctx) => untilAborted(ctx.signal);
    const first = await withOrchestrator({ store, clock, actions: { x: hang } });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'p', timeout: 10, parallel: [{ name: 'x' }] }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    const t0 = clock.now();
    await clock.advance(8_000);
    await first.close();
    const second = await withOrchestrator({ store, clock, actions: { x: hang } });
    const status = await finishWithClock(second, clock, id, { stepMs: 500 });
    expect(status.error?.code).toBe('STEP_TIMEOUT');
    expect((status.completedAt?.getTime() ?? 0) - t0).toBe(10_000);
  });

  it('fails at once when its end passed while no node ran it, without starting a branch again', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    let runs = 0;
    const hang: ActionHandler = (_input, ctx) => {
      runs++;
      return untilAborted(ctx.signal);
    };
    const first = await withOrchestrator({ store, clock, actions: { x: hang } });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'p', timeout: 10, parallel: [{ name: 'x' }] }], {
      timeout: 600,
    });
    const id = await first.workflowEngine.executeWorkflow('w');
    await clock.advance(1_000);
    await first.close();
    await clock.advance(30_000);
    const second = await withOrchestrator({ store, clock, actions: { x: hang } });
    const status = await finishWithClock(second, clock, id, { stepMs: 500 });
    expect(status.error?.code).toBe('STEP_TIMEOUT');
    expect(runs).toBe(1);
  });

  it('completes a step whose branches all completed before a restart, resumed past its timeout', async () => {
    const clock = new FakeClock();
    const store = tempSqliteUrl();
    const actions = { b1: () => 'B1', b2: () => 'B2' };
    const first = await createOrchestrator({ store, clock, actions });
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'p', timeout: 10, parallel: [{ name: 'b1' }, { name: 'b2' }] },
    ]);
    // Stop right after the last branch's result is stored, before the parallel step is.
    let closing: Promise<void> | null = null;
    let branchesDone = 0;
    first.on('step.completed', (e) => {
      if (e.parent === 'p' && ++branchesDone === 2) closing ??= first.close();
    });
    const id = await first.workflowEngine.executeWorkflow('w');
    await until(() => closing !== null);
    await closing;
    await clock.advance(60_000);
    const second = await withOrchestrator({ store, clock, actions });
    const status = await finishWithClock(second, clock, id);
    expect(status.steps[0]?.branches?.map((b) => b.status)).toEqual(['completed', 'completed']);
    expect(status.error).toBeUndefined();
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ p: { b1: 'B1', b2: 'B2' } });
  });
});
