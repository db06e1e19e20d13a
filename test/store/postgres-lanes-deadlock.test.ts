/**
 * Several write lanes (`writeLanes` > 1) committing batches that lock the same execution rows in
 * opposite orders: lane 0's lease operations (renewal, claim) against another lane's batch split
 * into several statements, or against its batched update while lane 0's batch holds a claimed row.
 * Each case drives two lane transactions through the store's own commit path (`commitBatch`) on
 * two connections, with a third session holding one row so the lanes interleave the same way
 * every run, and counts the deadlocks PostgreSQL reports to the lanes.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type CommitContext, commitBatch } from '../../src/store/postgres/batch-commit.js';
import { createOp, type Op, updateOp } from '../../src/store/postgres/operations.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { storePerTest, withClient } from './pg-fixture.js';
import { makeExecution } from './records.js';

const NOW = 1_000_000;

/** A lane's connection, with the SQLSTATE of every statement the server refused on it. */
interface Lane {
  client: pg.Client;
  pid: number;
  errors: string[];
  /** The names of the named statements sent. */
  sent: string[];
}

/** Opens a lane connection; deadlocks are looked for after 20 ms of waiting, not 1 s. */
async function openLane(client: pg.Client): Promise<Lane> {
  await client.query("SET deadlock_timeout = '20ms'");
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const lane: Lane = { client, pid, errors: [], sent: [] };
  const query = client.query.bind(client) as (config: pg.QueryConfig | string) => Promise<pg.QueryResult>;
  (client as unknown as { query: typeof query }).query = (config) => {
    if (typeof config !== 'string' && config.name) lane.sent.push(config.name.replace('orchestrator_', ''));
    const result = query(config);
    result.catch((error: { code?: string }) => lane.errors.push(error.code ?? 'none'));
    return result;
  };
  return lane;
}

/** Commits `batch` on `lane` through the store's commit path. */
function commit(store: PostgresStore, lane: Lane, batch: Op[]) {
  const context = (store as unknown as { context: CommitContext }).context;
  return commitBatch(lane.client as unknown as pg.PoolClient, context, batch);
}

/** Resolves once the backend `pid` waits for a lock (polled on `admin`; throws after 5 s). */
async function waitingOnLock(admin: pg.Client, pid: number): Promise<void> {
  for (const end = Date.now() + 5_000; Date.now() < end; ) {
    const r = await admin.query(
      "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'",
      [pid],
    );
    if (r.rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`backend ${pid} did not wait for a lock within 5 s`);
}

/** Runs `body` with two lane connections, a session to hold a row with, and one to watch from. */
function withLanes(
  body: (lanes: [Lane, Lane], holder: pg.Client, admin: pg.Client) => Promise<void>,
): Promise<void> {
  return withClient((a) =>
    withClient((b) =>
      withClient((holder) =>
        withClient(async (admin) => body([await openLane(a), await openLane(b)], holder, admin)),
      ),
    ),
  );
}

const deadlocks = (lane: Lane) => lane.errors.filter((code) => code === '40P01').length;

describe('PostgreSQL store: several write lanes lock rows in one order', () => {
  const pg = storePerTest({ writeLanes: 2 });

  const running = (id: string, owner: string, leaseUntil: number) =>
    pg.store.createExecution(makeExecution({ id, status: 'running', owner, leaseUntil, epoch: 1 }));

  it('a batch split by a cancel request does not deadlock with a lease renewal of the same rows', async () => {
    await running('a', 'n1', NOW + 1000);
    await running('c', 'n1', NOW + 1000);
    await running('x', 'n2', NOW + 1000);
    await withLanes(async ([laneK, lane0], holder, admin) => {
      // Another session holds x: the split batch waits there, after its first statement.
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${pg.schema}".executions WHERE id = 'x' FOR UPDATE`);
      // c, then (after the cancel request) a: the reverse of the renewal's id order.
      const split = commit(pg.store, laneK, [
        updateOp({ id: 'c', epoch: 1, set: { cursor: 1 } }),
        { kind: 'cancel', id: 'x' },
        updateOp({ id: 'a', epoch: 1, set: { cursor: 1 } }),
      ]);
      await waitingOnLock(admin, laneK.pid);
      const renew = commit(pg.store, lane0, [{ kind: 'renew', owner: 'n1', leaseUntil: NOW + 5000 }]);
      await waitingOnLock(admin, lane0.pid);
      await holder.query('COMMIT');
      const [splitOutcomes, renewOutcomes] = await Promise.all([split, renew]);
      expect(splitOutcomes.map((o) => o.ok)).toEqual([true, true, true]);
      expect(renewOutcomes).toEqual([{ ok: true, value: expect.arrayContaining(['a', 'c']) }]);
      expect([deadlocks(laneK), deadlocks(lane0)]).toEqual([0, 0]);
    });
    const rows = await Promise.all(
      ['a', 'c', 'x'].map(async (id) => (await pg.store.getExecution(id))!.execution),
    );
    expect(rows.map((e) => [e.cursor, e.leaseUntil, e.cancelRequested])).toEqual([
      [1, NOW + 5000, false],
      [1, NOW + 5000, false],
      [0, NOW + 1000, true],
    ]);
  });

  it("a claim and a renewal in one lane-0 batch do not deadlock with another lane's update of those rows", async () => {
    await running('a', 'n1', NOW + 1000);
    await running('b', 'n2', NOW + 1000);
    // r: its owner died; the claim takes it while the update (stale now) still wants it.
    await running('r', 'dead', NOW - 1);
    await withLanes(async ([laneK, lane0], holder, admin) => {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${pg.schema}".executions WHERE id = 'b' FOR UPDATE`);
      // One statement, in id order: a, then b (held), then r.
      const update = commit(
        pg.store,
        laneK,
        ['a', 'b', 'r'].map((id) => updateOp({ id, epoch: 1, set: { cursor: 1 } })),
      );
      await waitingOnLock(admin, laneK.pid);
      const claimAndRenew = commit(pg.store, lane0, [
        { kind: 'claim', request: { owner: 'n1', leaseUntil: NOW + 5000, now: NOW, limit: 10 } },
        { kind: 'renew', owner: 'n1', leaseUntil: NOW + 5000 },
      ]);
      await waitingOnLock(admin, lane0.pid);
      await holder.query('COMMIT');
      await Promise.all([update, claimAndRenew]);
      expect([deadlocks(laneK), deadlocks(lane0)]).toEqual([0, 0]);
    });
    const r = (await pg.store.getExecution('r'))!.execution;
    expect(r).toMatchObject({ owner: 'n1', epoch: 2, leaseUntil: NOW + 5000 });
  });

  it('a batch that failed as a whole runs again, each operation alone, after taking the same locks', async () => {
    await running('a', 'n1', NOW + 1000);
    await running('c', 'n1', NOW + 1000);
    await withLanes(async ([lane]) => {
      const outcomes = await commit(pg.store, lane, [
        updateOp({ id: 'c', epoch: 1, set: { cursor: 1 } }),
        { kind: 'cancel', id: 'c' },
        updateOp({ id: 'a', epoch: 1, set: { cursor: 1 } }),
        // PostgreSQL text cannot hold a NUL byte: this statement fails on the server.
        createOp(makeExecution({ id: 'bad\u0000id' }), undefined),
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false]);
      expect(lane.sent).toEqual([
        // Pipelined: the creates after the cancel go before its updates.
        ...['lock_rows', 'update', 'cancel', 'create', 'update', 'notify'],
        // Alone, in call order.
        ...['lock_rows', 'update', 'cancel', 'update', 'create', 'notify'],
      ]);
    });
  });
});

describe('PostgreSQL store: one write lane takes no locks first', () => {
  const pg = storePerTest({ writeLanes: 1 });

  it('sends only the statements of the batch', async () => {
    await pg.store.createExecution(makeExecution({ id: 'a', status: 'running', owner: 'n1', epoch: 1 }));
    await withLanes(async ([lane]) => {
      await commit(pg.store, lane, [
        updateOp({ id: 'a', epoch: 1, set: { cursor: 1 } }),
        { kind: 'cancel', id: 'a' },
        { kind: 'renew', owner: 'n1', leaseUntil: NOW },
      ]);
      expect(lane.sent).toEqual(['update', 'cancel', 'renew']);
    });
  });
});
