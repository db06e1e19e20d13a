// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * The whole sequence of events of one execution, for every path it can take: each occurrence is
 * announced once, in order, with a `step.started` for every attempt (retries included), each
 * attempt ended by one `step.completed`, `step.failed` or `step.cancelled`, and one terminal event
 * followed by one `execution.finished`.
 */
import { describe, expect, it } from 'vitest';
import { type EventName, FakeClock, type Orchestrator } from '../../src/index.js';
import {
  collectEvents,
  finishWithClock,
  nextEvent,
  STORE_KINDS,
  storeUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

const ALL: EventName[] = [
  'execution.created',
  'execution.started',
  'step.started',
  'step.completed',
  'step.failed',
  'step.decided',
  'step.cancelled',
  'execution.compensating',
  'compensation.started',
  'compensation.completed',
  'compensation.failed',
  'execution.completed',
  'execution.failed',
  'execution.cancelled',
  'execution.finished',
];

/** `event[:step[#attempt]]` lines of one execution. */
function trace(orch: Orchestrator) {
  const events = collectEvents(orch, ALL);
  return (id: string) =>
    events.all
      .filter((e) => e.payload.executionId === id)
      .map(({ event, payload }) => {
        const p = payload as { step?: string; attempt?: number; final?: boolean; resumed?: boolean };
        let line: string = event;
        if (p.step !== undefined) line += `:${p.step}`;
        if (p.attempt !== undefined) line += `#${p.attempt}`;
        if (p.final !== undefined) line += p.final ? ' final' : ' retry';
        if (p.resumed) line += ' resumed';
        return line;
      });
}

describe.each(STORE_KINDS)('event sequences (%s store)', (kind) => {
  it('success, and retry then success', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: {
        a: () => 1,
        flaky: () => {
          calls++;
          if (calls < 3) throw new Error('not yet');
          return 2;
        },
      },
    });
    const of = trace(orch);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'flaky', retry: true }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await finishWithClock(orch, clock, id);
    expect(of(id)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:a#1',
      'step.completed:a#1',
      'step.started:flaky#1',
      'step.failed:flaky#1',
      'step.started:flaky#2',
      'step.failed:flaky#2',
      'step.started:flaky#3',
      'step.completed:flaky#3',
      'execution.completed',
      'execution.finished',
    ]);
  });

  it('step timeout, then saga with one compensation failing for good', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      retryAttempts: 1,
      actions: { a: () => 1, b: () => 2, hang: (_i, ctx) => untilAborted(ctx.signal) },
      compensations: {
        undoA: () => undefined,
        undoB: () => {
          throw new Error('cannot');
        },
      },
    });
    const of = trace(orch);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undoA' },
      { name: 'b', compensation: 'undoB' },
      { name: 'hang', timeout: 1 },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id);
    expect(status.error?.code).toBe('STEP_TIMEOUT');
    expect(of(id)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:a#1',
      'step.completed:a#1',
      'step.started:b#1',
      'step.completed:b#1',
      'step.started:hang#1',
      'step.failed:hang#1',
      'execution.compensating',
      'compensation.started:b#1',
      'compensation.failed:b#1 retry',
      'compensation.started:b#2',
      'compensation.failed:b#2 final',
      'compensation.started:a#1',
      'compensation.completed:a#1',
      'execution.failed',
      'execution.finished',
    ]);
  });

  it('workflow timeout during a step', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { a: () => 1, hang: (_i, ctx) => untilAborted(ctx.signal) },
      compensations: { undoA: () => undefined },
    });
    const of = trace(orch);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undoA' }, { name: 'hang' }], {
      timeout: 2,
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id);
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(of(id)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:a#1',
      'step.completed:a#1',
      'step.started:hang#1',
      'step.cancelled:hang#1',
      'execution.compensating',
      'compensation.started:a#1',
      'compensation.completed:a#1',
      'execution.failed',
      'execution.finished',
    ]);
  });

  it('cancel during a step, and cancel while queued', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 1,
      actions: { a: () => 1, hang: (_i, ctx) => untilAborted(ctx.signal) },
      compensations: { undoA: () => undefined },
    });
    const of = trace(orch);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undoA' }, { name: 'hang' }]);
    const hanging = nextEvent(orch, 'step.started', (e) => e.step === 'hang');
    const running = await orch.workflowEngine.executeWorkflow('w');
    const queued = await orch.workflowEngine.executeWorkflow('w');
    await hanging;
    expect(await orch.workflowEngine.cancelWorkflow(queued)).toBe(true);
    expect(await orch.workflowEngine.cancelWorkflow(running)).toBe(true);
    await orch.workflowEngine.waitForCompletion(running, { timeout: 5 });
    await orch.workflowEngine.waitForCompletion(queued, { timeout: 5 });
    expect(await orch.workflowEngine.cancelWorkflow(running)).toBe(false);
    expect(of(queued)).toEqual(['execution.created', 'execution.cancelled', 'execution.finished']);
    expect(of(running)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:a#1',
      'step.completed:a#1',
      'step.started:hang#1',
      'step.cancelled:hang#1',
      'execution.compensating',
      'compensation.started:a#1',
      'compensation.completed:a#1',
      'execution.cancelled',
      'execution.finished',
    ]);
  });

  it('parallel step whose branch fails: the running sibling is cancelled, then the step fails', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        hang: (_i, ctx) => untilAborted(ctx.signal),
        bad: () => {
          throw new Error('no');
        },
      },
    });
    const of = trace(orch);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'p', parallel: [{ name: 'hang' }, { name: 'bad' }] },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(of(id)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:p#1',
      'step.started:hang#1',
      'step.started:bad#1',
      'step.failed:bad#1',
      'step.cancelled:hang#1',
      'step.failed:p#1',
      'execution.failed',
      'execution.finished',
    ]);
  });

  it('parallel step that times out: its running branch is cancelled, then the step fails', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { hang: (_i, ctx) => untilAborted(ctx.signal) },
    });
    const of = trace(orch);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'p', timeout: 1, parallel: [{ name: 'hang' }] }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await finishWithClock(orch, clock, id)).error?.code).toBe('STEP_TIMEOUT');
    expect(of(id)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:p#1',
      'step.started:hang#1',
      'step.cancelled:hang#1',
      'step.failed:p#1',
      'execution.failed',
      'execution.finished',
    ]);
  });

  it('cancel of a parallel step, and of a step waiting for its retry', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        hang: (_i, ctx) => untilAborted(ctx.signal),
        bad: () => {
          throw new Error('no');
        },
      },
    });
    const of = trace(orch);
    const cancelled = collectEvents(orch, ['step.cancelled']);
    await orch.workflowEngine.defineWorkflow('par', [{ name: 'p', parallel: [{ name: 'hang' }] }]);
    await orch.workflowEngine.defineWorkflow('wait', [
      { name: 'bad', retry: { maxAttempts: 3, initialDelay: 60 } },
    ]);
    const hanging = nextEvent(orch, 'step.started', (e) => e.step === 'hang');
    const par = await orch.workflowEngine.executeWorkflow('par');
    await hanging;
    const failed = nextEvent(orch, 'step.failed', (e) => e.step === 'bad');
    const wait = await orch.workflowEngine.executeWorkflow('wait');
    await failed;
    expect(await orch.workflowEngine.cancelWorkflow(par)).toBe(true);
    expect(await orch.workflowEngine.cancelWorkflow(wait)).toBe(true);
    await orch.workflowEngine.waitForCompletion(par, { timeout: 5 });
    const waited = await orch.workflowEngine.waitForCompletion(wait, { timeout: 5 });
    expect(waited.steps[0]).toMatchObject({ status: 'cancelled', attempts: 1 });
    // The event's error is the one the status shows.
    const cancelledEvents = cancelled.of('step.cancelled');
    const parStatus = await orch.workflowEngine.getExecutionStatus(par);
    const cancelledP = cancelledEvents.find((e) => e.executionId === par && e.step === 'p');
    expect(cancelledP?.error).toEqual(parStatus?.steps[0]?.error);
    expect(cancelledEvents.find((e) => e.executionId === wait)?.error).toEqual(waited.steps[0]?.error);
    expect(of(par)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:p#1',
      'step.started:hang#1',
      'step.cancelled:hang#1',
      'step.cancelled:p#1',
      'execution.cancelled',
      'execution.finished',
    ]);
    expect(of(wait)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:bad#1',
      'step.failed:bad#1',
      'step.cancelled:bad#1',
      'execution.cancelled',
      'execution.finished',
    ]);
  });

  it('parallel step that completes: the step starts before its branches and ends after them', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1, b: () => 2 } });
    const of = trace(orch);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'p', parallel: [{ name: 'a' }, { name: 'b' }] }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(of(id)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:p#1',
      'step.started:a#1',
      'step.started:b#1',
      'step.completed:a#1',
      'step.completed:b#1',
      'step.completed:p#1',
      'execution.completed',
      'execution.finished',
    ]);
  });

  it('conditional steps', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => ({ ok: true }) } });
    const of = trace(orch);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'c', condition: 'result.ok', then: 'd', else: 'a' },
      { name: 'x', action: 'a' },
      { name: 'd', action: 'a' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(of(id)).toEqual([
      'execution.created',
      'execution.started',
      'step.started:a#1',
      'step.completed:a#1',
      'step.decided:c',
      'step.started:d#1',
      'step.completed:d#1',
      'execution.completed',
      'execution.finished',
    ]);
  });
});
