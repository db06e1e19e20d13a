/**
 * `close({ grace })` gives running handlers time to finish; an execution whose step only waits on
 * a timer (a retry's backoff, a `delay`) has nothing to finish, so it is halted at once and the
 * close does not sit out the grace period. The stored timer resumes it on the next start (on a
 * durable store: on the memory store nothing resumes, and the wait gets the grace, as do a
 * compensating execution's further compensations).
 * Virtual time: the grace period is a FakeClock timer, so a close that waited for it would never
 * resolve without `advance`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock, NonRetryableError, type Orchestrator } from '../../src/index.js';
import {
  answerWithin,
  finishWithClock,
  gate,
  nextEvent,
  tempSqliteUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

const HOUR = 3_600_000;
/** Workflow options: a timeout well past the hour-long waits (the default is 300 s). */
const DAY = { timeout: 86_400 };

/**
 * A lease of a day: virtual time moves in slices of minutes, faster than a PostgreSQL renewal
 * answers in real time, and a lease lapsed under a slice would hand the execution round again.
 */
const LONG_LEASE = { leaseSeconds: 86_400 };

async function reopen(
  url: string,
  clock: FakeClock,
  actions: Record<string, () => unknown>,
): Promise<Orchestrator> {
  return withOrchestrator({ store: url, clock, actions, ...LONG_LEASE });
}

/**
 * The handlers of the saga a–b–boom: `boom` fails for good, so b then a are compensated; `undoB`
 * waits for `held` first. Each compensation appends its step to `undone`.
 */
function sagaHandlers(undone: string[], held: Promise<unknown>) {
  return {
    actions: {
      a: () => 'a',
      b: () => 'b',
      boom: () => {
        throw new NonRetryableError('boom');
      },
    },
    compensations: {
      undoA: () => {
        undone.push('a');
      },
      undoB: async () => {
        await held;
        undone.push('b');
      },
    },
  };
}

/**
 * Defines and starts the saga of `sagaHandlers` on `orch`; resolves with its id once it is
 * compensating b (held in `undoB`).
 */
async function compensatingSaga(orch: Orchestrator): Promise<string> {
  await orch.workflowEngine.defineWorkflow(
    'w',
    [{ name: 'a', compensation: 'undoA' }, { name: 'b', compensation: 'undoB' }, { name: 'boom' }],
    DAY,
  );
  const undoing = nextEvent(orch, 'compensation.started');
  const id = await orch.workflowEngine.executeWorkflow('w');
  expect((await undoing).step).toBe('b');
  return id;
}

/** A handler that throws on its first call and returns 'ok' after; `calls()` counts them. */
function failsOnce(): { flaky: () => string; calls: () => number } {
  let n = 0;
  return {
    flaky: () => {
      n++;
      if (n === 1) throw new Error('try again');
      return 'ok';
    },
    calls: () => n,
  };
}

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

/** A durable store's URL: a fresh SQLite file, or a fresh schema on the PostgreSQL test server. */
const DURABLE_URLS = {
  sqlite: async () => tempSqliteUrl(),
  postgres: async () => {
    await assertServerReachable();
    const schema = freshSchema();
    schemas.push(schema);
    return `${PG_URL}?schema=${schema}`;
  },
};

describe.each(Object.entries(DURABLE_URLS))(
  'close({ grace }) and timer waits (%s store)',
  (_kind, newUrl) => {
    it('does not wait out the grace for a retry backoff; the retry runs after the restart, at its time', async () => {
      const url = await newUrl();
      const clock = new FakeClock();
      const { flaky, calls } = failsOnce();
      const orch = await createOrchestrator({ store: url, clock, actions: { flaky }, ...LONG_LEASE });
      await orch.workflowEngine.defineWorkflow(
        'w',
        [{ name: 'flaky', retry: { maxAttempts: 3, initialDelay: 3600 } }],
        DAY,
      );
      const failed = nextEvent(orch, 'step.failed');
      const id = await orch.workflowEngine.executeWorkflow('w');
      expect((await failed).retryAt).toEqual(new Date(clock.now() + HOUR));
      await orch.close({ grace: 600 }); // resolves with the clock standing still
      expect(calls()).toBe(1);

      const again = await reopen(url, clock, { flaky });
      const status = await finishWithClock(again, clock, id, {
        stepMs: 300_000,
        maxMs: 2 * HOUR,
        realMs: 10,
      });
      expect(status.error).toBeUndefined();
      expect(status.status).toBe('completed');
      expect(calls()).toBe(2);
      expect(status.steps[0]?.attempts).toBe(2);
      expect(status.steps[0]?.history?.map((h) => h.startedAt.getTime())).toEqual([
        Date.UTC(2026, 0, 1),
        Date.UTC(2026, 0, 1) + HOUR,
      ]);
    });

    it('does not wait out the grace for a delay step; the delay ends after the restart, at its time', async () => {
      const url = await newUrl();
      const clock = new FakeClock();
      const actions = { after: () => clock.now() };
      const orch = await createOrchestrator({ store: url, clock, actions, ...LONG_LEASE });
      await orch.workflowEngine.defineWorkflow(
        'w',
        [{ name: 'wait', action: 'delay', input: "{'seconds': 3600}" }, { name: 'after' }],
        DAY,
      );
      const started = nextEvent(orch, 'step.started');
      const id = await orch.workflowEngine.executeWorkflow('w');
      await started;
      await orch.close({ grace: 600 });

      const again = await reopen(url, clock, actions);
      const status = await finishWithClock(again, clock, id, {
        stepMs: 300_000,
        maxMs: 2 * HOUR,
        realMs: 10,
      });
      expect(status.status).toBe('completed');
      // The delay ended at its stored time; the next step ran then or (a PostgreSQL write answers
      // in real time while virtual time moves on in slices) a slice or two later.
      expect(status.steps[0]?.completedAt?.getTime()).toBe(Date.UTC(2026, 0, 1) + HOUR);
      expect(status.outputData.after).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1) + HOUR);
    });

    it("does not wait out the grace for a compensation's retry backoff; the retry runs after the restart", async () => {
      const url = await newUrl();
      const clock = new FakeClock();
      let undos = 0;
      const options = {
        store: url,
        clock,
        ...LONG_LEASE,
        actions: {
          a: () => 'a',
          boom: () => {
            throw new NonRetryableError('boom');
          },
        },
        compensations: {
          undo: () => {
            undos++;
            if (undos === 1) throw new Error('try again');
          },
        },
      };
      const orch = await createOrchestrator(options);
      await orch.workflowEngine.defineWorkflow(
        'w',
        [{ name: 'a', compensation: 'undo' }, { name: 'boom' }],
        DAY,
      );
      const failed = nextEvent(orch, 'compensation.failed');
      const id = await orch.workflowEngine.executeWorkflow('w');
      expect((await failed).final).toBe(false);
      // Resolves with the clock standing still (before, it sat out the backoff, then the grace).
      expect(await answerWithin(orch.close({ grace: 600 }))).toBeUndefined();
      expect(undos).toBe(1);

      const again = await withOrchestrator(options);
      const status = await finishWithClock(again, clock, id, { realMs: 10 });
      expect(status.status).toBe('failed');
      expect(status.compensatedSteps).toEqual(['a']);
      expect(undos).toBe(2);
      expect(status.steps[0]?.compensation).toMatchObject({ status: 'completed', attempts: 2 });
    });

    it('lets a running compensation finish in the grace but starts no further one; the rest runs after the restart, in reverse order', async () => {
      const url = await newUrl();
      const clock = new FakeClock();
      const hold = gate();
      const undone: string[] = [];
      const options = {
        store: url,
        clock,
        ...LONG_LEASE,
        ...sagaHandlers(undone, hold.promise),
      };
      const orch = await createOrchestrator(options);
      const id = await compensatingSaga(orch);
      const closing = orch.close({ grace: 600 });
      hold.open(); // the running compensation ends within the grace...
      expect(await answerWithin(closing)).toBeUndefined();
      expect(undone).toEqual(['b']); // ...and the next one waits for the restart

      const again = await withOrchestrator(options);
      const status = await finishWithClock(again, clock, id, { realMs: 10 });
      expect(status.status).toBe('failed');
      expect(undone).toEqual(['b', 'a']);
      expect(status.compensatedSteps).toEqual(['b', 'a']);
    });
  },
);

describe('close({ grace }) and executions waiting on a timer', () => {
  it('lets a running handler finish, and halts its execution once that handler fails into a backoff', async () => {
    const url = tempSqliteUrl();
    const clock = new FakeClock();
    const hold = gate();
    let calls = 0;
    const slow = async () => {
      calls++;
      if (calls === 1) {
        await hold.promise;
        throw new Error('failed during the grace');
      }
      return 'second try';
    };
    const orch = await createOrchestrator({ store: url, clock, actions: { slow, quick: () => 'done' } });
    await orch.workflowEngine.defineWorkflow(
      'w',
      [{ name: 'slow', retry: { maxAttempts: 2, initialDelay: 3600 } }, { name: 'quick' }],
      DAY,
    );
    const started = nextEvent(orch, 'step.started');
    const id = await orch.workflowEngine.executeWorkflow('w');
    await started;
    let closed = false;
    const closing = orch.close({ grace: 600 }).then(() => {
      closed = true;
    });
    await clock.advance(1_000);
    expect(closed).toBe(false); // the handler still runs: the grace holds
    hold.open();
    await closing; // its failure put it into a backoff: halted, without the rest of the grace
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1) + 1_000);

    const again = await reopen(url, clock, { slow, quick: () => 'done' });
    const status = await finishWithClock(again, clock, id, { stepMs: 300_000, maxMs: 2 * HOUR });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ slow: 'second try', quick: 'done' });
    expect(status.steps[0]?.attempts).toBe(2);
  });

  // A SQLite database in memory is gone with its process too.
  it.each(['memory', 'sqlite::memory:'])(
    'on the %s store (nothing resumes after a close) lets a short backoff run out in the grace',
    async (store) => {
      const clock = new FakeClock();
      const { flaky, calls } = failsOnce();
      const orch = await createOrchestrator({ store, clock, actions: { flaky } });
      await orch.workflowEngine.defineWorkflow('w', [
        { name: 'flaky', retry: { maxAttempts: 3, initialDelay: 1 } },
      ]);
      const failed = nextEvent(orch, 'step.failed');
      const id = await orch.workflowEngine.executeWorkflow('w');
      await failed;
      const completed: string[] = [];
      orch.on('execution.completed', (e) => completed.push(e.executionId));
      const closing = orch.close({ grace: 10 });
      await clock.advance(1_000);
      await closing;
      expect(calls()).toBe(2);
      expect(completed).toEqual([id]);
    },
  );

  it.each(['memory', 'sqlite::memory:'])(
    'on the %s store (nothing resumes a saga after a close) lets a compensating execution run its further compensations in the grace',
    async (store) => {
      const clock = new FakeClock();
      const hold = gate();
      const undone: string[] = [];
      const orch = await createOrchestrator({
        store,
        clock,
        ...sagaHandlers(undone, hold.promise),
      });
      const id = await compensatingSaga(orch);
      const failed: string[] = [];
      orch.on('execution.failed', (e) => failed.push(e.executionId));
      const closing = orch.close({ grace: 600 });
      hold.open(); // the running compensation ends within the grace...
      expect(await answerWithin(closing)).toBeUndefined();
      // ...and the next one runs too, in reverse order, before the close resolves: the saga ends.
      expect(undone).toEqual(['b', 'a']);
      expect(failed).toEqual([id]);
      expect(clock.now()).toBe(Date.UTC(2026, 0, 1)); // without waiting out the grace
    },
  );
});
