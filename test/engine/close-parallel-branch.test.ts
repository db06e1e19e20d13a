/**
 * From the moment `close()` is called no handler starts on a durable store — a parallel step's
 * branches included. A branch whose start is being written when `close({ grace })` comes, or whose
 * retry falls due within the grace, does not start: its siblings already running keep the grace,
 * then the execution halts for the shutdown, and the next start runs that branch once (and no
 * branch that completed). Branches that only wait on a timer (a retry's backoff) are not waited
 * for: the execution halts as soon as no branch runs a handler. On the memory store nothing would
 * resume the branch: it goes on within the grace, as the README says.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { holdingStore } from '../helpers/holding-store.js';
import {
  answerWithin,
  finishWithClock,
  gate,
  nextEvent,
  tempDir,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

const PARALLEL = [{ name: 'p', parallel: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }];

describe('close({ grace }) and the branches of a parallel step (SQLite)', () => {
  it('does not start a branch whose start was being written; its running sibling finishes; the next start runs the branch once', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const calls: string[] = [];
    // First process: c completes, a and b are running when it closes.
    const first = await createOrchestrator({
      store: `sqlite:${file}`,
      actions: {
        a: (_input, ctx) => untilAborted(ctx.signal),
        b: (_input, ctx) => untilAborted(ctx.signal),
        c: () => {
          calls.push('first c');
          return 'c1';
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', PARALLEL);
    const bothRunning = new Promise<void>((resolve) => {
      let n = 0;
      first.on('step.started', (e) => {
        if ((e.step === 'a' || e.step === 'b') && ++n === 2) resolve();
      });
    });
    const cDone = nextEvent(first, 'step.completed', (e) => e.step === 'c');
    const id = await first.workflowEngine.executeWorkflow('w');
    await Promise.all([bothRunning, cDone]);
    await first.close();

    // Second process (a resumed execution stores each start before its handler): b's start is
    // held until close({ grace }) was called; a runs meanwhile and finishes within the grace.
    const { store, reached, release } = holdingStore(file, (u) =>
      (u.steps ?? []).some((s) => s.name === 'b' && s.status === 'running'),
    );
    const aGate = gate<string>();
    const aStarted = gate();
    const second = await createOrchestrator({
      store,
      actions: {
        a: async () => {
          calls.push('second a');
          aStarted.open();
          return aGate.promise;
        },
        b: () => {
          calls.push('second b');
          return 'b2';
        },
        c: () => {
          calls.push('second c');
          return 'c2';
        },
      },
    });
    const aCompleted = nextEvent(second, 'step.completed', (e) => e.step === 'a');
    await Promise.all([reached, aStarted.promise]);
    const closing = second.close({ grace: 30 });
    release();
    aGate.open('a2');
    await aCompleted;
    await closing;
    // The sibling that was running had its grace; the branch whose start came after close did not start.
    expect(calls).toEqual(['first c', 'second a']);

    const third = await createOrchestrator({
      store: `sqlite:${file}`,
      actions: {
        a: () => calls.push('third a'),
        b: () => {
          calls.push('third b');
          return 'b3';
        },
        c: () => calls.push('third c'),
      },
    });
    const status = await third.workflowEngine.waitForCompletion(id, { timeout: 10 });
    await third.close();
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ p: { a: 'a2', b: 'b3', c: 'c1' } });
    expect(calls).toEqual(['first c', 'second a', 'third b']);
  });

  it("does not start a branch's retry that falls due within the grace; the next start runs it once", async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const calls: string[] = [];
    const aGate = gate<string>();
    const first = await createOrchestrator({
      store: `sqlite:${file}`,
      clock,
      actions: {
        a: async () => {
          calls.push('first a');
          return aGate.promise;
        },
        b: () => {
          calls.push('first b');
          throw new Error('try again');
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'p', parallel: [{ name: 'a' }, { name: 'b', retry: { maxAttempts: 2, initialDelay: 1 } }] },
    ]);
    const bFailed = nextEvent(first, 'step.failed', (e) => e.step === 'b');
    const id = await first.workflowEngine.executeWorkflow('w');
    await bFailed;
    const closing = first.close({ grace: 30 });
    // b's backoff (1 s) runs out within the grace, while a still runs.
    await clock.advance(1_500);
    aGate.open('a1');
    await finishClose(clock, closing);
    expect(calls).toEqual(['first a', 'first b']);

    const second = await createOrchestrator({
      store: `sqlite:${file}`,
      clock,
      actions: {
        a: () => calls.push('second a'),
        b: () => {
          calls.push('second b');
          return 'b2';
        },
      },
    });
    const status = await finishWithClock(second, clock, id);
    await second.close();
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ p: { a: 'a1', b: 'b2' } });
    expect(calls).toEqual(['first a', 'first b', 'second b']);
  });
});

describe('close({ grace }) and parallel branches that only wait on a timer (SQLite)', () => {
  /** Branches `a` and `b`, each retried after 10 s. */
  const RETRIED = [
    {
      name: 'p',
      parallel: [
        { name: 'a', retry: { maxAttempts: 1, initialDelay: 10 } },
        { name: 'b', retry: { maxAttempts: 1, initialDelay: 10 } },
      ],
    },
  ];

  it('halts at once when every branch waits on its backoff; the next start runs them', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const calls: string[] = [];
    const fails = (name: string) => () => {
      calls.push(`first ${name}`);
      throw new Error('try again');
    };
    const first = await createOrchestrator({
      store: `sqlite:${file}`,
      clock,
      actions: { a: fails('a'), b: fails('b') },
    });
    await first.workflowEngine.defineWorkflow('w', RETRIED);
    const aFailed = nextEvent(first, 'step.failed', (e) => e.step === 'a');
    const bFailed = nextEvent(first, 'step.failed', (e) => e.step === 'b');
    const id = await first.workflowEngine.executeWorkflow('w');
    await Promise.all([aFailed, bFailed]);
    // No virtual time passes: the grace does not wait for the backoffs.
    const closing = first.close({ grace: 30 });
    expect(await answerWithin(closing, 5_000)).toBeUndefined();
    expect(calls).toEqual(['first a', 'first b']);

    const second = await createOrchestrator({
      store: `sqlite:${file}`,
      clock,
      actions: { a: () => 'a2', b: () => 'b2' },
    });
    const status = await finishWithClock(second, clock, id);
    await second.close();
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ p: { a: 'a2', b: 'b2' } });
  });

  it('halts once the branch running a handler ended, without waiting out a sibling backoff', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const aGate = gate<string>();
    const first = await createOrchestrator({
      store: `sqlite:${file}`,
      clock,
      actions: {
        a: () => aGate.promise,
        b: () => {
          throw new Error('try again');
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', RETRIED);
    const bFailed = nextEvent(first, 'step.failed', (e) => e.step === 'b');
    const aCompleted = nextEvent(first, 'step.completed', (e) => e.step === 'a');
    const id = await first.workflowEngine.executeWorkflow('w');
    await bFailed;
    const closing = first.close({ grace: 30 });
    aGate.open('a1');
    await aCompleted;
    expect(await answerWithin(closing, 5_000)).toBeUndefined();

    const bRuns: string[] = [];
    const second = await createOrchestrator({
      store: `sqlite:${file}`,
      clock,
      actions: { a: () => 'a2', b: () => bRuns.push('b2') },
    });
    const status = await finishWithClock(second, clock, id);
    await second.close();
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ p: { a: 'a1', b: 1 } });
    expect(bRuns).toEqual(['b2']);
  });
});

describe('close({ grace }) and the branches of a parallel step (memory store)', () => {
  it("runs a branch's retry that falls due within the grace: nothing would resume it", async () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    const aGate = gate<string>();
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      actions: {
        a: async () => {
          calls.push('a');
          return aGate.promise;
        },
        b: () => {
          calls.push('b');
          if (calls.filter((c) => c === 'b').length === 1) throw new Error('try again');
          return 'b';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'p', parallel: [{ name: 'a' }, { name: 'b', retry: { maxAttempts: 2, initialDelay: 1 } }] },
    ]);
    const bFailed = nextEvent(orch, 'step.failed', (e) => e.step === 'b');
    const bDone = nextEvent(orch, 'step.completed', (e) => e.step === 'b');
    await orch.workflowEngine.executeWorkflow('w');
    await bFailed;
    const closing = orch.close({ grace: 30 });
    await clock.advance(1_500);
    await bDone;
    aGate.open('a');
    await finishClose(clock, closing);
    expect(calls).toEqual(['a', 'b', 'b']);
  });
});

/** Drives `clock` until `closing` resolves (its grace timer is on the fake clock). */
async function finishClose(clock: FakeClock, closing: Promise<void>): Promise<void> {
  let done = false;
  void closing.then(() => {
    done = true;
  });
  for (let i = 0; i < 1000 && !done; i++) await clock.advance(10);
  await closing;
}
