/**
 * Every end of an execution is announced the same way, whoever ends it (the runner, or a cancel or
 * timeout of an execution still queued): the terminal event (`execution.completed`,
 * `execution.failed` with the error, `execution.cancelled`), then `execution.finished` with the
 * same status, carrying `error` only when there is one.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { collectEvents, gate, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

const TERMINAL = [
  'execution.completed',
  'execution.failed',
  'execution.cancelled',
  'execution.finished',
] as const;

describe.each(STORE_KINDS)('terminal events (%s store)', (kind) => {
  it('completed, failed and cancelled (running) executions: terminal event, then finished', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      enableCompensation: false,
      actions: {
        ok: () => 'done',
        boom: () => {
          throw Object.assign(new Error('no'), { code: 'E_NO' });
        },
        wait: async (_input, ctx) => {
          await Promise.race([
            hold.promise,
            new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)),
          ]);
        },
      },
    });
    const events = collectEvents(orch, [...TERMINAL]);
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('good', [{ name: 'ok' }]);
    await engine.defineWorkflow('bad', [{ name: 'boom', retry: false }]);
    await engine.defineWorkflow('slow', [{ name: 'wait' }]);

    const good = await engine.executeWorkflow('good');
    await engine.waitForCompletion(good);
    const bad = await engine.executeWorkflow('bad');
    await engine.waitForCompletion(bad);
    const slow = await engine.executeWorkflow('slow');
    await expect(engine.cancelWorkflow(slow)).resolves.toBe(true);
    await engine.waitForCompletion(slow);

    const of = (id: string) =>
      events.all.filter((e) => e.payload.executionId === id).map((e) => ({ event: e.event, ...e.payload }));
    const duration = expect.any(Number);
    expect(of(good)).toStrictEqual([
      {
        event: 'execution.completed',
        executionId: good,
        workflowId: 'good',
        status: 'completed',
        durationMs: duration,
      },
      {
        event: 'execution.finished',
        executionId: good,
        workflowId: 'good',
        status: 'completed',
        durationMs: duration,
        ran: true,
      },
    ]);
    const error = { code: 'E_NO', message: 'no', step: 'boom' };
    expect(of(bad)).toStrictEqual([
      {
        event: 'execution.failed',
        executionId: bad,
        workflowId: 'bad',
        status: 'failed',
        durationMs: duration,
        error,
      },
      {
        event: 'execution.finished',
        executionId: bad,
        workflowId: 'bad',
        status: 'failed',
        durationMs: duration,
        ran: true,
        error,
      },
    ]);
    expect(of(slow)).toStrictEqual([
      {
        event: 'execution.cancelled',
        executionId: slow,
        workflowId: 'slow',
        status: 'cancelled',
        durationMs: duration,
      },
      {
        event: 'execution.finished',
        executionId: slow,
        workflowId: 'slow',
        status: 'cancelled',
        durationMs: duration,
        ran: true,
      },
    ]);
    hold.open();
  });

  it('queued executions cancelled or timed out: the same events; a timed-out one ends at its deadline', async () => {
    const clock = new FakeClock();
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      maxConcurrentWorkflows: 1,
      actions: { block: () => hold.promise, quick: () => 'q' },
    });
    const events = collectEvents(orch, [...TERMINAL]);
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('slow', [{ name: 'block' }], { timeout: 600 });
    await engine.defineWorkflow('fast', [{ name: 'quick' }], { timeout: 5 });
    const first = await engine.executeWorkflow('slow');
    const cancelled = await engine.executeWorkflow('fast');
    const timedOut = await engine.executeWorkflow('fast');
    await clock.advance(1_000);
    await expect(engine.cancelWorkflow(cancelled)).resolves.toBe(true);
    await clock.advance(5_000);
    expect((await engine.waitForCompletion(timedOut)).status).toBe('failed');

    const of = (id: string) =>
      events.all.filter((e) => e.payload.executionId === id).map((e) => ({ event: e.event, ...e.payload }));
    expect(of(cancelled)).toStrictEqual([
      {
        event: 'execution.cancelled',
        executionId: cancelled,
        workflowId: 'fast',
        status: 'cancelled',
        durationMs: 1_000,
      },
      {
        event: 'execution.finished',
        executionId: cancelled,
        workflowId: 'fast',
        status: 'cancelled',
        durationMs: 1_000,
        ran: false,
      },
    ]);
    const error = expect.objectContaining({ code: 'WORKFLOW_TIMEOUT' });
    expect(of(timedOut)).toStrictEqual([
      {
        event: 'execution.failed',
        executionId: timedOut,
        workflowId: 'fast',
        status: 'failed',
        durationMs: 5_000,
        error,
      },
      {
        event: 'execution.finished',
        executionId: timedOut,
        workflowId: 'fast',
        status: 'failed',
        durationMs: 5_000,
        ran: false,
        error,
      },
    ]);
    hold.open();
    expect((await engine.waitForCompletion(first)).status).toBe('completed');
  });
});
