/**
 * A node that lost one execution's lease while it renewed the others must notice it at that
 * renewal, however many other rows the store holds under its id. The renewal compared how many
 * leases it renewed with how many executions the node held: a row stored as the node's that it
 * did not hold yet (placed on it by another node, not adopted yet) made up for the lost one, so
 * the node went on with the lost execution until its next renewal — and started its retry, a
 * handler of an execution another node had claimed (and runs). Likewise a renewal that skipped
 * a locked row was not tried again at the next round, and that lease could run out.
 *
 * How the lease was lost is the real one: the node's renewals skipped the execution's row, locked
 * by another session, until its lease ran out; the lock went, and another node claimed it first.
 */
import { expect, it } from 'vitest';
import { newExecutionId } from '../../src/ids.js';
import { createOrchestrator, FakeClock, PostgresStore, type TimerHandle } from '../../src/index.js';
import type { ExecutionRecord, WorkHint } from '../../src/store/store.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL, withClient } from '../store/pg-fixture.js';
import { claimElsewhere, expectStillElsewhere } from './claimed-elsewhere.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

/** A store whose notifications never reach its node: placements wait for its rounds. */
class DeafStore extends PostgresStore {
  override subscribe(channel: 'work', _onNotify: (hint: WorkHint) => void): Promise<() => Promise<void>> {
    return super.subscribe(channel, () => undefined);
  }
}

/** A fake clock that counts the timers of housekeeping rounds (armed when the round before ended). */
class RoundClock extends FakeClock {
  rounds = 0;
  override setTimer(fn: () => void, ms: number): TimerHandle {
    if (ms === SWEEP_MS) this.rounds++;
    return super.setTimer(fn, ms);
  }
}

const SWEEP_MS = 1_000;

/**
 * A node on a fresh schema, a store of "another node" on it, and the rounds of the node. A failed
 * first attempt is retried `retryDelay` seconds later.
 */
async function setup(retryDelay = 35) {
  const schema = t.schema();
  const clock = new RoundClock();
  const t0 = clock.now();
  const other = new PostgresStore(PG_URL, { schema, poolSize: 2 });
  t.later(() => other.close());
  const runs: string[] = [];
  const node = await createOrchestrator({
    store: new DeafStore(PG_URL, { schema }),
    clock,
    logger: silentLogger,
    leaseSeconds: 30,
    sweepInterval: SWEEP_MS / 1000,
    actions: {
      flaky: (input, ctx) => {
        runs.push(`${ctx.executionId}:${ctx.attempt}`);
        if ((input as { fail?: boolean }).fail && ctx.attempt === 1) throw new Error('once');
        return 'ok';
      },
    },
  });
  t.later(() => node.close());
  await other.init();
  await node.workflowEngine.defineWorkflow('w', [
    { name: 's1', action: 'flaky', retry: { maxAttempts: 2, initialDelay: retryDelay } },
  ]);

  /**
   * Advances the clock to `at` a round at a time: each round's heartbeat stored and the next
   * round's timer armed before the clock moves on.
   */
  const roundsTo = async (at: number) => {
    while (clock.now() < at) {
      const armed = clock.rounds;
      await clock.advance(SWEEP_MS);
      const now = clock.now();
      await until(
        async () =>
          (await other.listNodes()).some((n) => n.id === node.nodeId && n.lastHeartbeat === now) &&
          clock.rounds > armed,
        `the round at ${now - t0} ms`,
      );
    }
  };

  /** Runs an execution whose first attempt fails; its retry is due `retryDelay` s later. */
  const failedOnce = async () => {
    const id = await node.workflowEngine.executeWorkflow('w', { fail: true });
    await until(async () => {
      const step = (await other.getExecution(id))?.steps.find((s) => s.name === 's1');
      return step?.status === 'waiting';
    }, 'the retry to be stored');
    return (await other.getExecution(id))!.execution;
  };

  /** Places a new execution on the node, as another node does; the node adopts it at its next round. */
  const place = async (like: ExecutionRecord) => {
    const now = clock.now();
    const id = newExecutionId(now);
    await other.createExecution({
      ...like,
      id,
      createdAt: now,
      input: {},
      status: 'pending',
      startedAt: null,
      workerId: null,
      deadlineAt: null,
      stepsRun: 0,
      owner: node.nodeId,
      leaseUntil: now + 30_000,
      epoch: 1,
    });
    return id;
  };

  /** Runs `body` while another session holds the row of execution `id` locked. */
  const locked = (id: string, body: () => Promise<void>) =>
    withClient(async (client) => {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM "${schema}".executions WHERE id = $1 FOR UPDATE`, [id]);
      try {
        await body();
      } finally {
        await client.query('ROLLBACK');
      }
    });

  /** Another node claims execution `id`, its lease having run out. */
  const claimedElsewhere = (id: string) => claimElsewhere(other, id, clock.now());

  /**
   * The node lets the execution `id` another node claimed (under `epoch`) go without running its
   * retry (attempt 2), and the other node's claim stays.
   */
  const letGoWithoutRetry = async (id: string, epoch: number) => {
    await until(
      () => runs.includes(`${id}:2`) || node.getLocalLoad().running + node.getLocalLoad().queued === 0,
      'the node to let go of the lost execution',
    );
    expect(
      runs.filter((r) => r.startsWith(id)),
      'handler runs of the lost execution here',
    ).toEqual([`${id}:1`]);
    await expectStillElsewhere(other, id, epoch);
  };

  return { clock, t0, other, node, roundsTo, failedOnce, place, locked, claimedElsewhere, letGoWithoutRetry };
}

it('a lost lease is noticed at the next renewal though a placed row makes up the count', async () => {
  const { t0, other, roundsTo, failedOnce, place, locked, claimedElsewhere, letGoWithoutRetry } =
    await setup();
  // Its lease, from the create, ends at 30 s; its retry is due at 35 s.
  const created = await failedOnce();
  const lost = created.id;
  expect(created.leaseUntil).toBe(t0 + 30_000);
  // Another session holds the row locked: the renewals skip it, and its lease runs out.
  await locked(lost, async () => {
    await roundsTo(t0 + 31_000);
    expect((await other.getExecution(lost))!.execution.leaseUntil).toBe(t0 + 30_000);
  });
  // Another node claims it (its lease ran out) before this one renews it again...
  const epoch = await claimedElsewhere(lost);
  // ...and places a new execution on this one, which this node adopts at its next round.
  const placed = await place(created);
  await roundsTo(t0 + 32_000);
  await until(async () => (await other.getExecution(placed))?.execution.status === 'completed', 'placed');

  // The retry falls due before the next renewal (every third of a lease): it must not start here.
  await roundsTo(t0 + 36_000);
  await letGoWithoutRetry(lost, epoch);
}, 60_000);

it('a renewal that skipped a locked row is tried again at the next round though a placed row makes up the count', async () => {
  const { t0, other, roundsTo, failedOnce, place, locked } = await setup();
  const created = await failedOnce();
  await roundsTo(t0 + 9_000);
  // The renewal at 10 s skips the locked row; the store counts the row placed here instead.
  await place(created);
  await locked(created.id, () => roundsTo(t0 + 10_000));
  // The lock went: the next round renews it, not the one a third of a lease later.
  await roundsTo(t0 + 11_000);
  expect((await other.getExecution(created.id))!.execution.leaseUntil).toBe(t0 + 41_000);
}, 60_000);

it('a retry due between the lapse of a lease its renewals skipped and the next round does not start', async () => {
  // The retry falls due half a second after the lease ran out: before the round after the claim.
  const { clock, t0, other, roundsTo, failedOnce, locked, claimedElsewhere, letGoWithoutRetry } =
    await setup(30.5);
  const created = await failedOnce();
  const lost = created.id;
  // Every renewal up to the one at 30 s skips the locked row: its lease ends at 30 s, though the
  // node renewed its other leases (none) at 30 s and counts its leases valid until 60 s.
  await locked(lost, () => roundsTo(t0 + 30_000));
  expect((await other.getExecution(lost))!.execution.leaseUntil).toBe(t0 + 30_000);
  // The lock went; another node claims the execution at once, its lease having run out...
  await clock.advance(200);
  const epoch = await claimedElsewhere(lost);
  // ...and the retry falls due here before the next round: it must not start on a lost lease.
  await clock.advance(300);
  await letGoWithoutRetry(lost, epoch);
}, 60_000);
