/**
 * An execution another node placed here whose row a renewal skipped (another session held it
 * locked) before this node adopted it. Only the executions a node holds are checked against the
 * ids a renewal answers, so the skip alone prompts nothing; what keeps the placed one safe is its
 * adoption: it lowers the node's `LeaseGuard.validUntil` to the placed lease, and its runner
 * confirms the lease before it starts a handler once that passed. What these tests pin down:
 *
 * - the placed lease (a placement guarantees only a third of a lease on, and this one ends before
 *   the node's next scheduled renewal) is renewed before it runs out once the lock went, so no
 *   other node can claim the execution from under the handler running here (it was renewed in
 *   the round after it ran out: another node's claim in between ran the step again);
 * - held locked past that lease and claimed by another node the moment the lock goes, the
 *   execution is let go here: its next step does not start, and the other node's claim stays.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, FakeClock, PostgresStore, type TimerHandle } from '../../src/index.js';
import type { ClaimRequest, ExecutionRecord, WorkHint } from '../../src/store/store.js';
import { gate, silentLogger } from '../helpers/orchestrator.js';
import { PG_URL, withClient } from '../store/pg-fixture.js';
import { placedExecution } from '../store/records.js';
import { claimElsewhere, expectStillElsewhere } from './claimed-elsewhere.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

/**
 * A store whose notifications never reach its node (placements wait for its rounds), and whose
 * renewals and claims run, while `lockedRow` is set, with another session holding that row
 * locked: they skip it (and no other write of the node waits for the lock).
 */
class SkippingStore extends PostgresStore {
  lockedRow: string | null = null;
  override subscribe(channel: 'work', _onNotify: (hint: WorkHint) => void): Promise<() => Promise<void>> {
    return super.subscribe(channel, () => undefined);
  }
  override renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    return this.skipping(() => super.renewLeases(owner, leaseUntil));
  }
  override claimExecutions(options: ClaimRequest): Promise<ExecutionRecord[]> {
    return this.skipping(() => super.claimExecutions(options));
  }
  private skipping<T>(write: () => Promise<T>): Promise<T> {
    const id = this.lockedRow;
    if (id === null) return write();
    return withClient(async (client) => {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM "${this.schema}".executions WHERE id = $1 FOR UPDATE`, [id]);
      try {
        return await write();
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }
}

const SWEEP_MS = 1_000;

/** A fake clock that counts the timers of housekeeping rounds (armed when the round before ended). */
class RoundClock extends FakeClock {
  rounds = 0;
  override setTimer(fn: () => void, ms: number): TimerHandle {
    if (ms === SWEEP_MS) this.rounds++;
    return super.setTimer(fn, ms);
  }
}

/**
 * A node (6 s leases, renewed every 2 s, rounds every second) on a fresh schema and a store of
 * "another node"; workflow `w` runs `first`, which waits for `release`, then `second`. Places an
 * execution on the node right after its round at 1 s, with a lease ending at 3.1 s (a placement
 * leaves at least a third of a lease).
 */
async function placed() {
  const schema = t.schema();
  const clock = new RoundClock();
  const t0 = clock.now();
  const other = new PostgresStore(PG_URL, { schema, poolSize: 2 });
  t.later(() => other.close());
  const runs: string[] = [];
  const release = gate();
  const store = new SkippingStore(PG_URL, { schema });
  const node = await createOrchestrator({
    store,
    clock,
    logger: silentLogger,
    cluster: true,
    leaseSeconds: 6,
    sweepInterval: SWEEP_MS / 1000,
    actions: {
      first: async () => {
        runs.push('first');
        await release.promise;
        return 1;
      },
      second: () => {
        runs.push('second');
        return 2;
      },
    },
  });
  t.later(() => node.close());
  await other.init();
  await node.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'second' }]);

  /** Advances the clock to `at` a round at a time, each round over before the clock moves on. */
  const roundsTo = async (at: number) => {
    while (clock.now() < at) {
      const armed = clock.rounds;
      // Rounds fall on whole seconds from the start.
      await clock.advance(SWEEP_MS - ((clock.now() - t0) % SWEEP_MS));
      const now = clock.now();
      await until(
        async () =>
          (await other.listNodes()).some((n) => n.id === node.nodeId && n.lastHeartbeat === now) &&
          clock.rounds > armed,
        `the round at ${now - t0} ms`,
      );
    }
  };

  const leaseUntil = t0 + 3_100;
  await roundsTo(t0 + 1_000);
  const id = 'placed-skipped';
  await other.createExecution(
    placedExecution(id, 'w', node.nodeId, clock.now(), leaseUntil, { deadlineAt: null }),
  );

  /**
   * Renewals (and claims) skip the row up to the round at `to` ms: the round at 2 s renews (skipping it), then
   * adopts it, and `first` starts.
   */
  const skipped = async (to = 2_000) => {
    store.lockedRow = id;
    await roundsTo(t0 + 2_000);
    await until(() => runs.includes('first'), 'the placed execution to start here');
    await roundsTo(t0 + to);
    store.lockedRow = null;
    expect((await other.getExecution(id))!.execution.leaseUntil, 'the renewals skipped it').toBe(leaseUntil);
  };

  return { clock, t0, other, node, runs, release, roundsTo, id, leaseUntil, skipped };
}

it('a placed lease a renewal skipped is renewed before it runs out once the lock went', async () => {
  const { clock, t0, other, runs, release, roundsTo, id, leaseUntil, skipped } = await placed();
  await skipped();
  // The round before the placed lease ends; then past its end, before the next round.
  await roundsTo(t0 + 3_000);
  await clock.advance(leaseUntil + 100 - clock.now());
  const stored = (await other.getExecution(id))!.execution;
  expect(stored.leaseUntil, 'the placed lease, renewed before it ran out').toBeGreaterThan(clock.now());
  const claimed = await other.claimExecutions({
    owner: 'another-node',
    leaseUntil: clock.now() + 6_000,
    now: clock.now(),
    ids: [id],
    limit: 1,
  });
  expect(claimed, 'claims of the execution by another node').toEqual([]);
  release.open();
  await roundsTo(t0 + 5_000);
  await until(async () => (await other.getExecution(id))?.execution.status === 'completed', 'the end');
  expect(runs).toEqual(['first', 'second']);
  expect((await other.getExecution(id))!.execution.epoch).toBe(1);
}, 60_000);

it('a placed execution whose lease ran out while renewals skipped it, claimed elsewhere, goes no further here', async () => {
  const { clock, t0, other, node, runs, release, roundsTo, id, skipped } = await placed();
  // The lock outlasts the placed lease: every renewal skips the row.
  await skipped(4_000);
  // The lock went; another node claims the execution at once, its lease having run out.
  const epoch = await claimElsewhere(other, id, clock.now());
  release.open();
  await roundsTo(t0 + 6_000);
  await until(
    () => node.getLocalLoad().running + node.getLocalLoad().queued === 0,
    'the node to let go of the lost execution',
  );
  expect(runs, 'handler runs here').toEqual(['first']);
  await expectStillElsewhere(other, id, epoch);
}, 60_000);
