// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * Saga compensation when jumps revisit steps: every completed visit of a step with a
 * compensation is compensated, each with its own output, in reverse order of completion — a
 * visit replaced by a later one is not forgotten, and it survives a restart.
 */
import { describe, expect, it } from 'vitest';
import { type ActionHandler, FakeClock, MemoryStore } from '../../src/index.js';
import type { StepRecord } from '../../src/store/store.js';
import {
  collectEvents,
  finishWithClock,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('compensating revisited steps (%s store)', (kind) => {
  it('compensates each completed visit of a looped step, newest first, with its own output', async () => {
    const undone: { step: string; output: unknown }[] = [];
    const chargeSaw: string[][] = [];
    let visits = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve: () => ({ n: ++visits }),
        charge: (_input, ctx) => {
          // Recorded, not asserted here: the step fails either way, so a failed expect would go unseen.
          chargeSaw.push(Object.keys(ctx.outputs).sort());
          throw new Error('card declined');
        },
      },
      compensations: { release: (output, ctx) => undone.push({ step: ctx.stepName, output }) },
    });
    const events = collectEvents(orch, ['execution.compensating', 'compensation.started']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'again', condition: 'steps.reserve.output.n < 2', then: 'reserve' },
      { name: 'charge' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(chargeSaw).toEqual([['reserve']]);
    expect(undone).toEqual([
      { step: 'reserve', output: { n: 2 } },
      { step: 'reserve', output: { n: 1 } },
    ]);
    expect(status.compensatedSteps).toEqual(['reserve', 'reserve']);
    expect(status.steps.map((s) => s.name)).toEqual(['reserve', 'again', 'charge']);
    // Events name the step, once per visit to compensate, as compensatedSteps does (not the
    // engine's own record of an earlier visit, 'reserve#1').
    expect(events.of('execution.compensating').map((e) => e.steps)).toEqual([['reserve', 'reserve']]);
    expect(events.of('compensation.started').map((e) => e.step)).toEqual(['reserve', 'reserve']);
    expect(status.totalSteps).toBe(3);
  });

  it('compensates the completed first visit when the second visit fails', async () => {
    const undone: unknown[] = [];
    let visits = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { reserve: () => (++visits === 2 ? Promise.reject(new Error('no stock')) : { n: visits }) },
      compensations: { release: (output) => undone.push(output) },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'again', condition: 'steps.reserve.output.n < 2', then: 'reserve' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(undone).toEqual([{ n: 1 }]);
    expect(status.compensatedSteps).toEqual(['reserve']);
  });

  it('compensates each completed visit of a branch of a revisited parallel step', async () => {
    const undone: unknown[] = [];
    let visits = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: { book: () => ({ n: ++visits }), fail: () => Promise.reject(new Error('boom')) },
      compensations: { cancel_booking: (output) => undone.push(output) },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'p', parallel: [{ name: 'book', compensation: 'cancel_booking' }] },
      { name: 'again', condition: 'steps.book.output.n < 2', then: 'p' },
      { name: 'fail' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    expect(undone).toEqual([{ n: 2 }, { n: 1 }]);
  });
});

describe.each(STORE_KINDS)('the status of compensated revisited steps (%s store)', (kind) => {
  it("shows an earlier visit's compensation, also one that failed for good", async () => {
    const clock = new FakeClock();
    let visits = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { reserve: () => ({ n: ++visits }), charge: () => Promise.reject(new Error('card declined')) },
      compensations: {
        release: (output) => {
          if ((output as { n: number }).n === 1) throw new Error('reservation 1 is gone');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'again', condition: 'steps.reserve.output.n < 2', then: 'reserve' },
      { name: 'charge' },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.status).toBe('failed');
    expect(status.compensatedSteps).toEqual(['reserve']);
    const reserve = status.steps[0];
    // The latest visit's compensation, as for a step run once...
    expect(reserve?.compensation).toMatchObject({ status: 'completed', attempts: 1 });
    // ...and the first visit's, which failed for good: README says a failed compensation is
    // visible in the status.
    expect(reserve?.earlierCompensations).toEqual([
      expect.objectContaining({
        visit: 1,
        status: 'failed',
        attempts: 4,
        error: { code: 'STEP_FAILED', message: 'reservation 1 is gone', step: 'reserve' },
      }),
    ]);
    expect(status.steps[2]?.earlierCompensations).toBeUndefined();
  });
});

describe('idempotency keys of the compensations of revisited steps', () => {
  it("each visit's compensation has that visit's action key with ':compensate'", async () => {
    const actionKeys = new Map<number, string>();
    const compensationKeys = new Map<number, string>();
    let visits = 0;
    const orch = await withOrchestrator({
      actions: {
        reserve: (_input, ctx) => {
          actionKeys.set(++visits, ctx.idempotencyKey);
          return { n: visits };
        },
        charge: () => Promise.reject(new Error('card declined')),
      },
      compensations: {
        release: (output, ctx) => compensationKeys.set((output as { n: number }).n, ctx.idempotencyKey),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'again', condition: 'steps.reserve.output.n < 3', then: 'reserve' },
      { name: 'charge' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.status).toBe('failed');
    // README: `<executionId>:<stepName>:compensate`, with a revisit's `#2`, `#3` suffix.
    expect([...actionKeys.values()]).toEqual([
      `${status.id}:reserve`,
      `${status.id}:reserve#2`,
      `${status.id}:reserve#3`,
    ]);
    for (const [visit, key] of actionKeys) expect(compensationKeys.get(visit)).toBe(`${key}:compensate`);
  });
});

describe('compensating revisited steps across a restart (sqlite store)', () => {
  it('keeps the earlier visit stored: the next process compensates it', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const undone: unknown[] = [];
    let visits = 0;
    const reserve: ActionHandler = (_input, ctx) =>
      ++visits === 2 ? untilAborted(ctx.signal) : { n: visits };
    const options = { store, clock, compensations: { release: (output: unknown) => undone.push(output) } };
    const first = await withOrchestrator({ ...options, actions: { reserve } });
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'again', condition: 'steps.reserve.output.n < 2', then: 'reserve' },
    ]);
    const id = await first.workflowEngine.executeWorkflow('w');
    while (visits < 2) await clock.advance(100);
    await first.close();
    // The second visit runs again after the restart and fails for good.
    const second = await withOrchestrator({
      ...options,
      actions: { reserve: () => Promise.reject(new Error('no stock')) },
    });
    const status = await finishWithClock(second, clock, id);
    expect(status.status).toBe('failed');
    expect(undone).toEqual([{ n: 1 }]);
  });
});

describe('parallel branches revisited by a loop', () => {
  const loop = [
    { name: 'start' },
    { name: 'p', parallel: [{ name: 'x', compensation: 'unbook' }] },
    { name: 'again', condition: 'result.x.booked < 3', then: 'start' },
  ];

  it('each visit of a branch has an idempotency key of its own', async () => {
    const keys: string[] = [];
    let round = 0;
    const orch = await withOrchestrator({
      actions: {
        start: () => ({ round: ++round }),
        x: (_input, ctx) => {
          keys.push(ctx.idempotencyKey);
          return { booked: round };
        },
      },
      compensations: { unbook: () => undefined },
    });
    await orch.workflowEngine.defineWorkflow('w', loop);
    expect((await runToEnd(orch, 'w')).status).toBe('completed');
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
  });

  it('every completed visit of a branch is compensated, newest first', async () => {
    const undone: unknown[] = [];
    let round = 0;
    const orch = await withOrchestrator({
      actions: {
        start: () => ({ round: ++round }),
        x: () => ({ booked: round }),
        boom: () => Promise.reject(new Error('boom')),
      },
      compensations: { unbook: (output) => undone.push(output) },
    });
    await orch.workflowEngine.defineWorkflow('w', [...loop, { name: 'boom' }]);
    expect((await runToEnd(orch, 'w')).status).toBe('failed');
    expect(undone).toEqual([{ booked: 3 }, { booked: 2 }, { booked: 1 }]);
  });
});

describe('a parallel step revisited by a loop, as stored', () => {
  it('writes its new visit together with its branches reset, never beside a branch completed in the last visit', async () => {
    // A branch that is a delay stores its start at once (before the other branch starts): that
    // write must already carry every branch reset, or a crash right after it would leave the
    // store with visit 2 running and branch `y` completed from visit 1, which a restart skips.
    const store = new MemoryStore();
    const writes: StepRecord[][] = [];
    const update = store.update.bind(store);
    store.update = (u) => {
      if (u.steps?.length) writes.push(u.steps.map((s) => ({ ...s })));
      return update(u);
    };
    let round = 0;
    const orch = await withOrchestrator({
      store,
      actions: { start: () => ({ round: ++round }), y: () => ({ round }) },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'start' },
      {
        name: 'p',
        parallel: [{ name: 'wait', action: 'delay', input: "{'seconds': 0}" }, { name: 'y' }],
      },
      { name: 'again', condition: 'steps.start.output.round < 2', then: 'start' },
    ]);
    expect((await runToEnd(orch, 'w')).status).toBe('completed');
    const firstOfVisit2 = writes.find((w) => w.some((s) => s.name === 'p' && s.visits === 2));
    expect(firstOfVisit2?.filter((s) => s.parent === 'p').map((s) => [s.name, s.visits, s.status])).toEqual([
      ['wait', 2, expect.any(String)],
      ['y', 2, 'pending'],
    ]);
  });
});
