/**
 * A node whose leases may have lapsed confirms them before it starts the next step
 * (`confirmLease`); when that confirmation fails, its runner gives the execution up, to take it up
 * again once the store answers. A `cancelWorkflow` that came while the confirmation was under way
 * was answered `false` and not stored: the execution was taken up again and ran on to `completed`.
 * Now the cancel is stored as a request, whichever node runs the execution next applies it, and
 * the call answers once the execution has ended (`true`: cancelled, its completed step
 * compensated). The same when the confirmation that fails is the one before the compensation the
 * cancel started (it answered `false` while the execution went on to end cancelled), and when the
 * confirmation finds that another node took the execution over (it answered `false`, and that
 * node ran the execution on, never told of the cancel). If the store
 * cannot take the request either, the call fails with `STORE_UNAVAILABLE`; it never answers
 * `false` with the request dropped.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock, type Orchestrator, type StepDefinition } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import {
  driveClock,
  type Gate,
  gate,
  nextEvent,
  silentLogger,
  untilAborted,
} from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { forwardToTestServer } from '../store/pg-forward.js';
import { perTest } from './per-test.js';

const t = perTest();

/** Virtual time passes slowly enough for the store's real round trips. */
const DRIVE = { stepMs: 50, realMs: 5, maxMs: 120_000 };

/**
 * A round every second and the default lease of 30 s: long enough, in virtual time, for the real
 * round trips to PostgreSQL made while the clock is driven (a lease renewed late would lapse again).
 */
const LEASE = { leaseSeconds: 30, sweepInterval: 1 };

/**
 * A PostgreSQL store whose lease renewals fail (counted in `refused`) until the virtual time
 * `failUntil`, and whose next renewal can be held until released.
 */
class FlakyRenewals extends PostgresStore {
  failUntil = 0;
  refused = 0;
  now: () => number = () => 0;
  private held: { reached: Gate<void>; release: Gate<void> } | null = null;

  /** Holds the next renewal: `reached` resolves once one waits, `release` lets it go on. */
  holdNextRenewal(): { reached: Promise<void>; release: () => void } {
    const hold = { reached: gate(), release: gate() };
    this.held = hold;
    return { reached: hold.reached.promise, release: () => hold.release.open() };
  }

  override async renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    const hold = this.held;
    this.held = null;
    if (hold) {
      hold.reached.open();
      await hold.release.promise;
    }
    if (this.now() < this.failUntil) {
      this.refused++;
      throw new Error('connection lost (injected)');
    }
    return super.renewLeases(owner, leaseUntil);
  }
}

/**
 * A TCP proxy to the test server that can go down: it then cuts every connection through it and
 * cuts every new one at once, as an unreachable database would.
 */
async function cuttableProxy(): Promise<{ url: string; down(): void; up(): void; close(): Promise<void> }> {
  let down = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (down) {
      client.destroy();
      return;
    }
    const upstream = forwardToTestServer(client);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(PG_URL);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    down: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    up: () => {
      down = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Setup {
  orch: Orchestrator;
  clock: FakeClock;
  store: FlakyRenewals;
  id: string;
  secondRuns: () => number;
  undone: unknown[];
}

/** `first` (its output compensated by `undo`), then `second`. */
const FIRST_THEN_SECOND: StepDefinition[] = [{ name: 'first', compensation: 'undo' }, { name: 'second' }];

/**
 * Runs a workflow of `steps` on `store` until `first` runs, and lets the node's leases lapse
 * (renewals fail for the next 36 s of virtual time; 35 s pass).
 */
async function startAndLapse(
  store: FlakyRenewals,
  first: Gate<number>,
  steps: StepDefinition[] = FIRST_THEN_SECOND,
): Promise<Setup> {
  const clock = new FakeClock();
  store.now = () => clock.now();
  let firstStarted = false;
  let secondRuns = 0;
  const undone: unknown[] = [];
  const orch = await createOrchestrator({
    store,
    clock,
    logger: silentLogger,
    ...LEASE,
    actions: {
      first: () => {
        firstStarted = true;
        return first.promise;
      },
      second: () => ++secondRuns,
      book: () => 'booked',
    },
    compensations: { undo: (output: unknown) => undone.push(output) },
  });
  t.later(() => orch.close());
  await orch.workflowEngine.defineWorkflow('w', steps);
  const id = await orch.workflowEngine.executeWorkflow('w');
  while (!firstStarted) await clock.advance(10);
  const lapseAt = clock.now() + 35_000;
  store.failUntil = lapseAt + 1_000;
  // From a third of the lease on, every round renews first, and fails at once. The rounds before
  // make real round trips: the clock moves slowly until one of the failing rounds ran, so that no
  // round is under way when it jumps past the lease (one that read the clock there would claim the
  // execution whose lease ran out, its own).
  while (store.refused === 0 && clock.now() < lapseAt - 10_000) {
    await clock.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(store.refused, 'renewals refused before the lease ran out').toBeGreaterThan(0);
  await clock.advance(lapseAt - clock.now());
  return { orch, clock, store, id, secondRuns: () => secondRuns, undone };
}

/**
 * Ends `first`, so that the runner confirms its leases before `second`, and calls
 * `cancelWorkflow` while the renewal that confirmation waits for is held; `beforeRelease` runs
 * just before it is let go (and fails: the clock stands still, short of `failUntil`).
 */
async function cancelWhileConfirming(
  s: Setup,
  first: Gate<number>,
  beforeRelease: () => void = () => undefined,
): Promise<{ cancelling: Promise<boolean> }> {
  const held = s.store.holdNextRenewal();
  const completed = nextEvent(s.orch, 'step.completed');
  first.open(1);
  // Once `first` is stored, the runner waits for the leases' confirmation, which waits for a round.
  await completed;
  await held.reached;
  const cancelling = s.orch.workflowEngine.cancelWorkflow(s.id);
  cancelling.catch(() => undefined);
  beforeRelease();
  held.release();
  return { cancelling };
}

describe('cancelWorkflow while the confirmation of a lapsed lease fails (PostgreSQL)', () => {
  it('stores the request; the execution is taken up again and cancelled, and the call answers true', async () => {
    const first = gate<number>();
    const store = new FlakyRenewals(PG_URL, { schema: t.schema(), poolSize: 4 });
    const s = await startAndLapse(store, first);
    const { cancelling } = await cancelWhileConfirming(s, first);

    const answer = await driveClock(s.clock, cancelling, DRIVE);
    expect(answer).toBe(true);
    const status = await s.orch.workflowEngine.getExecutionStatus(s.id);
    expect(status?.status).toBe('cancelled');
    expect(status?.compensatedSteps).toEqual(['first']);
    expect(s.undone).toEqual([1]);
    expect(s.secondRuns()).toBe(0);
  });

  it('answers true once the execution ends cancelled when the confirmation before its compensation failed', async () => {
    const first = gate<number>();
    const store = new FlakyRenewals(PG_URL, { schema: t.schema(), poolSize: 4 });
    const s = await startAndLapse(store, first, [{ name: 'book', compensation: 'undo' }, { name: 'first' }]);
    // The cancel stops `first`; the runner stores the execution as compensating for the cancel,
    // then cannot confirm its leases before the compensation of `book`, and gives it up.
    const answer = await driveClock(s.clock, s.orch.workflowEngine.cancelWorkflow(s.id), DRIVE);
    expect(answer).toBe(true);
    const status = await s.orch.workflowEngine.getExecutionStatus(s.id);
    expect(status?.status).toBe('cancelled');
    expect(s.undone).toEqual(['booked']);
  });

  it('stores the request when the confirmation finds another node took the execution over; that node cancels it', async () => {
    const first = gate<number>();
    const schema = t.schema();
    const store = new FlakyRenewals(PG_URL, { schema, poolSize: 4 });
    const s = await startAndLapse(store, first);
    const held = store.holdNextRenewal();
    const completed = nextEvent(s.orch, 'step.completed');
    first.open(1);
    await completed;
    await held.reached;
    const cancelling = s.orch.workflowEngine.cancelWorkflow(s.id);
    cancelling.catch(() => undefined);
    // Another node starts meanwhile and claims the execution, whose lease ran out: it runs
    // `second`, which waits until it is aborted.
    const bUndone: unknown[] = [];
    const b = await createOrchestrator({
      store: new PostgresStore(PG_URL, { schema, poolSize: 4 }),
      clock: s.clock,
      logger: silentLogger,
      ...LEASE,
      actions: { first: () => 1, second: (_input, ctx) => untilAborted(ctx.signal), book: () => 'booked' },
      compensations: { undo: (output: unknown) => bUndone.push(output) },
    });
    t.later(() => b.close());
    expect((await b.store.getExecution(s.id))?.execution.owner).toBe(b.nodeId);
    // The store answers again: the confirmation renews what is still this node's, and finds the
    // execution is not.
    store.failUntil = 0;
    held.release();

    const answer = await driveClock(s.clock, cancelling, DRIVE);
    expect(answer).toBe(true);
    const status = await b.workflowEngine.getExecutionStatus(s.id);
    expect(status?.status).toBe('cancelled');
    expect(status?.workerId).toBe(b.nodeId);
    expect(bUndone).toEqual([1]);
    expect(s.undone).toEqual([]);
    expect(s.secondRuns()).toBe(0);
  });

  it('fails with STORE_UNAVAILABLE when the store cannot take the request either; a retry once it answers cancels', async () => {
    const proxy = await cuttableProxy();
    t.later(() => proxy.close());
    const first = gate<number>();
    const store = new FlakyRenewals(proxy.url, { schema: t.schema(), poolSize: 4 });
    const s = await startAndLapse(store, first);
    const { cancelling } = await cancelWhileConfirming(s, first, () => proxy.down());

    await expect(cancelling).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    // Nothing was stored or answered as if it had been: the caller knows to try again.
    proxy.up();
    const again = s.orch.workflowEngine.cancelWorkflow(s.id);
    const answer = await driveClock(s.clock, again, DRIVE);
    expect(answer).toBe(true);
    const status = await s.orch.workflowEngine.getExecutionStatus(s.id);
    expect(status?.status).toBe('cancelled');
    expect(s.undone).toEqual([1]);
    expect(s.secondRuns()).toBe(0);
  });
});
