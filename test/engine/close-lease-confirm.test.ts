/**
 * A node that went a whole lease without renewing (a stall) confirms its leases before it starts
 * the next handler (`confirmLease`). A `close()` that comes while it waits for that confirmation
 * must not let the handler start once the leases are renewed: from the moment `close()` is called
 * no step and no compensation starts on a durable store; the execution resumes there on the next
 * start, and the handler runs once, then.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createOrchestrator,
  type ExecutionStatus,
  FakeClock,
  NonRetryableError,
  type OrchestratorOptions,
} from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { FlakyRenewals } from '../helpers/flaky-renewals.js';
import { holdableRounds } from '../helpers/held-round.js';
import { finishWithClock, gate, nextEvent, nextTurn, tempDir } from '../helpers/orchestrator.js';

/** A lease of 3 s renewed every round (1 s): a stall of 5 s lapses it. */
const LEASE = { leaseSeconds: 3, sweepInterval: 1 };

/**
 * Runs until `running` (the handler under way) was reached, lets its lease lapse (renewals fail
 * for 5 s of virtual time), then has the next round (the one the runner's confirmation waits for)
 * held, ends the handler with `finish`, and calls `close({ grace })` while that round is held.
 */
async function closeWhileConfirming(
  store: FlakyRenewals,
  clock: FakeClock,
  grace: number,
  running: () => boolean,
  finish: () => unknown,
  close: (grace: number) => Promise<void>,
): Promise<void> {
  const rounds = holdableRounds(store);
  while (!running()) await clock.advance(10);
  store.failRenewals = true;
  await clock.advance(5_000);
  store.failRenewals = false;
  // The clock stands still from here: only the runner's confirmation asks for a round.
  const held = rounds.hold();
  await finish();
  await held;
  const closing = close(grace);
  rounds.release();
  await closing;
}

/** Opens the store's file again with `handlers` and runs execution `id` to its end. */
async function restartAndFinish(
  file: string,
  clock: FakeClock,
  id: string,
  handlers: Pick<OrchestratorOptions, 'actions' | 'compensations'>,
): Promise<ExecutionStatus> {
  const again = await createOrchestrator({ store: new SqliteStore(file), clock, ...LEASE, ...handlers });
  try {
    return await finishWithClock(again, clock, id, { stepMs: 500 });
  } finally {
    await again.close();
  }
}

describe.each([0, 5])('close({ grace: %s }) while a stalled node confirms its leases', (grace) => {
  it('does not start the next step once the leases are renewed; the next start runs it', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const store = new FlakyRenewals(file);
    const first = gate<number>();
    let firstStarted = false;
    let secondRuns = 0;
    const actions = { first: () => 1, second: () => ++secondRuns };
    const orch = await createOrchestrator({
      store,
      clock,
      ...LEASE,
      actions: {
        ...actions,
        first: () => {
          firstStarted = true;
          return first.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'second' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await closeWhileConfirming(
      store,
      clock,
      grace,
      () => firstStarted,
      () => first.open(1),
      (g) => orch.close({ grace: g }),
    );
    expect(secondRuns).toBe(0);

    const status = await restartAndFinish(file, clock, id, { actions });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ first: 1, second: 1 });
    expect(secondRuns).toBe(1);
  });

  it('does not start a retry once the leases are renewed; the next start runs it', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const store = new FlakyRenewals(file);
    const fail = gate();
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls > 1) return 'ok';
      await fail.promise;
      throw new Error('try again');
    };
    const orch = await createOrchestrator({ store, clock, ...LEASE, actions: { flaky } });
    // A retry 10 ms after the failure: once due, its attempt waits for the leases to be confirmed.
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'flaky', retry: { maxAttempts: 2, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await closeWhileConfirming(
      store,
      clock,
      grace,
      () => calls === 1,
      async () => {
        const failed = nextEvent(orch, 'step.failed');
        fail.open();
        await failed;
        await nextTurn();
        await clock.advance(10);
      },
      (g) => orch.close({ grace: g }),
    );
    expect(calls).toBe(1);

    const status = await restartAndFinish(file, clock, id, { actions: { flaky } });
    expect(status.status).toBe('completed');
    expect(calls).toBe(2);
  });

  it("does not start a parallel step's branches once the leases are renewed; the next start runs them", async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const store = new FlakyRenewals(file);
    const first = gate<number>();
    let firstStarted = false;
    const ran: string[] = [];
    const actions = {
      first: () => 1,
      x: () => ran.push('x'),
      y: () => ran.push('y'),
    };
    const orch = await createOrchestrator({
      store,
      clock,
      ...LEASE,
      actions: {
        ...actions,
        first: () => {
          firstStarted = true;
          return first.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'first' },
      { name: 'p', parallel: [{ name: 'x' }, { name: 'y' }] },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await closeWhileConfirming(
      store,
      clock,
      grace,
      () => firstStarted,
      () => first.open(1),
      (g) => orch.close({ grace: g }),
    );
    expect(ran).toEqual([]);

    const status = await restartAndFinish(file, clock, id, { actions });
    expect(status.status).toBe('completed');
    expect(ran.sort()).toEqual(['x', 'y']);
  });

  it("does not start a parallel branch's retry once the leases are renewed; its sibling finishes; the next start runs it", async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const store = new FlakyRenewals(file);
    const fail = gate();
    const sibling = gate<string>();
    let siblingStarted = false;
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls > 1) return 'ok';
      await fail.promise;
      throw new Error('try again');
    };
    const orch = await createOrchestrator({
      store,
      clock,
      ...LEASE,
      actions: {
        flaky,
        slow: () => {
          siblingStarted = true;
          return sibling.promise;
        },
      },
    });
    // The retry of branch `flaky`, due 10 ms after its failure, waits for the leases to be
    // confirmed while its sibling `slow` still runs (and gets the grace).
    await orch.workflowEngine.defineWorkflow('w', [
      {
        name: 'p',
        parallel: [{ name: 'slow' }, { name: 'flaky', retry: { maxAttempts: 2, initialDelay: 0.01 } }],
      },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await closeWhileConfirming(
      store,
      clock,
      grace,
      () => calls === 1 && siblingStarted,
      async () => {
        const failed = nextEvent(orch, 'step.failed');
        fail.open();
        await failed;
        await nextTurn();
        await clock.advance(10);
      },
      (g) => {
        const closing = orch.close({ grace: g });
        sibling.open('done');
        return closing;
      },
    );
    expect(calls).toBe(1);

    const status = await restartAndFinish(file, clock, id, { actions: { flaky, slow: () => 'again' } });
    expect(status.status).toBe('completed');
    expect(calls).toBe(2);
  });

  it('does not start the compensation once the leases are renewed; the next start runs it', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const store = new FlakyRenewals(file);
    const fail = gate();
    let boomStarted = false;
    const undone: unknown[] = [];
    const handlers = {
      actions: {
        book: () => 'booked',
        boom: () => {
          throw new NonRetryableError('boom');
        },
      },
      compensations: { unbook: (output: unknown) => undone.push(output) },
    };
    const orch = await createOrchestrator({
      store,
      clock,
      ...LEASE,
      ...handlers,
      actions: {
        ...handlers.actions,
        boom: async () => {
          boomStarted = true;
          await fail.promise;
          throw new NonRetryableError('boom');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'book', compensation: 'unbook' },
      { name: 'boom' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await closeWhileConfirming(
      store,
      clock,
      grace,
      () => boomStarted,
      () => fail.open(),
      (g) => orch.close({ grace: g }),
    );
    expect(undone).toEqual([]);

    const status = await restartAndFinish(file, clock, id, handlers);
    expect(status.status).toBe('failed');
    expect(status.compensatedSteps).toEqual(['book']);
    expect(undone).toEqual(['booked']);
  });
});
