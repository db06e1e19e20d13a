/**
 * PostgreSQL-only behaviour of the write path: several group-commit lanes (`writeLanes`), how a
 * flush is planned into statements, and when cached generic plans take over. The store contract
 * runs once more with three lanes, so every contract case also holds with concurrent flushes.
 */
import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/errors.js';
import type { CommitContext } from '../../src/store/postgres/batch-commit.js';
import type { Op } from '../../src/store/postgres/operations.js';
import { createOp, updateOp } from '../../src/store/postgres/operations.js';
import { checkWriteLanes, DEFAULT_WRITE_LANES } from '../../src/store/postgres/options.js';
import { planStatements } from '../../src/store/postgres/plan.js';
import { GENERIC_MIN_BYTES } from '../../src/store/postgres/plan-mode.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { buildSql } from '../../src/store/postgres/statements.js';
import { laneOf } from '../../src/store/postgres/write-lanes.js';
import type { ExecutionRecord } from '../../src/store/store.js';
import { runStoreContract } from './contract.js';
import { PG_URL, pgFixture, storePerTest, withClient } from './pg-fixture.js';
import { makeExecution, makeStep } from './records.js';

runStoreContract('postgres, 3 write lanes', { kind: 'postgres', durable: true }, () =>
  pgFixture({ writeLanes: 3 }),
);

describe('PostgreSQL store: write lane options', () => {
  it('defaults to DEFAULT_WRITE_LANES, capped at the pool size minus one (1 with a pool of one)', () => {
    expect(checkWriteLanes(undefined, 10)).toBe(Math.min(DEFAULT_WRITE_LANES, 9));
    expect(checkWriteLanes(undefined, 1)).toBe(1);
    expect(checkWriteLanes(undefined, 2)).toBe(1);
    expect(checkWriteLanes(3, 4)).toBe(3);
    expect(checkWriteLanes(1, 1)).toBe(1);
  });

  it('refuses a lane count outside 1..poolSize-1 with a ValidationError naming writeLanes', () => {
    for (const [lanes, poolSize] of [
      [0, 10],
      [1.5, 10],
      [10, 10],
      [2, 2],
      [2, 1],
    ] as const) {
      expect(() => new PostgresStore(PG_URL, { poolSize, writeLanes: lanes })).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          issues: [expect.objectContaining({ path: 'writeLanes' })],
        }),
      );
    }
  });

  it('spreads executions over the lanes by id, always the same lane for one id', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[laneOf(`exec_mx${i.toString(36).padStart(8, '0')}abc`, 4)]!++;
    for (const n of counts) expect(n).toBeGreaterThan(700);
    expect(laneOf('exec_a', 4)).toBe(laneOf('exec_a', 4));
    expect(laneOf('anything', 1)).toBe(0);
  });
});

describe('PostgreSQL store: planning a flush', () => {
  const sql = buildSql('s');
  const create = (id: string, key: string | null = null) =>
    createOp(makeExecution({ id, idempotencyKey: key }), undefined);
  const update = (id: string, cursor: number) => updateOp({ id, epoch: 0, set: { cursor } });
  const claim: Op = { kind: 'claim', request: { owner: 'n', leaseUntil: 2, now: 1, limit: 5 } };
  const shape = (batch: Op[]) =>
    planStatements(batch, sql).map(
      (s) => `${String(s.query.name).replace('orchestrator_', '')}:${s.ops.join(',')}`,
    );

  it('puts the creates and the updates between two barriers into one statement each, creates first', () => {
    expect(shape([update('b', 1), create('a'), update('c', 1), create('d'), claim, update('e', 1)])).toEqual([
      'create:1,3',
      'update:0,2',
      'claim:4',
      'update:5',
    ]);
  });

  it("keeps one execution's (and one key's) operations in call order: later ones go to a later wave", () => {
    expect(
      shape([
        create('a'),
        update('a', 1),
        update('b', 1),
        update('a', 2),
        create('x', 'k'),
        create('y', 'k'),
      ]),
    ).toEqual(['create:0,4', 'update:2', 'create:5', 'update:1', 'update:3']);
  });

  it('with several lanes, locks first in one statement the rows of a batch of several row-locking statements', () => {
    const lanes = buildSql('s', true);
    const cancel: Op = { kind: 'cancel', id: 'x' };
    const renew: Op = { kind: 'renew', owner: 'n', leaseUntil: 2 };
    const heartbeat: Op = { kind: 'heartbeat', params: [] };
    const lanesShape = (batch: Op[]) =>
      planStatements(batch, lanes).map((s) => String(s.query.name).replace('orchestrator_', ''));
    const [lock] = planStatements([update('c', 1), cancel, update('a', 1), renew], lanes);
    expect(lock!.query).toMatchObject({ name: 'orchestrator_lock_rows', values: [['c', 'x', 'a'], ['n']] });
    expect(lanesShape([claim, renew])).toEqual(['lock_rows', 'claim', 'renew']);
    // One row-locking statement (later waves lock only rows the first holds): nothing to take first.
    expect(lanesShape([update('a', 1), update('b', 1)])).toEqual(['update']);
    expect(lanesShape([update('a', 1), create('b'), update('a', 2)])).toEqual(['create', 'update', 'update']);
    expect(lanesShape([heartbeat, renew, create('b')])).toEqual(['heartbeat', 'renew', 'create']);
    // One lane: never.
    expect(shape([update('c', 1), cancel, update('a', 1), claim, renew])).toEqual([
      'update:0',
      'cancel:1',
      'update:2',
      'claim:3',
      'renew:4',
    ]);
  });

  it('lists the rows of an update statement in id order (the lock order of lease renewals)', () => {
    const [statement] = planStatements([update('c', 1), update('a', 1), update('b', 1)], sql);
    expect(statement!.query.values![0]).toEqual(['a', 'b', 'c']);
    expect(statement!.ops).toEqual([1, 2, 0]);
  });
});

describe('PostgreSQL store: several write lanes', () => {
  const pg = storePerTest({ writeLanes: 3 });

  const NOW = 1_000_000;

  it('commits one tick of writes in one transaction per lane, the writes of one execution in order', async () => {
    expect(pg.store.writeLanes).toBe(3);
    const ids = Array.from({ length: 90 }, (_, i) => `l${i}`);
    const lanes = new Set(ids.map((id) => laneOf(id, 3)));
    // Create, then two updates of each execution, all in the same tick: each lane keeps its
    // executions' order (the updates find the row, the second one wins).
    const results = await Promise.all(
      ids.flatMap((id, i) => [
        pg.store.createExecution(makeExecution({ id }), [makeStep(id, 'a')]),
        pg.store.update({
          id,
          epoch: 0,
          set: { status: 'running', cursor: 1 },
          steps: [makeStep(id, 'a', { attempts: 1 })],
        }),
        pg.store.update({ id, epoch: 0, set: { cursor: i + 2 }, steps: [makeStep(id, 'b')] }),
      ]),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(90);
    expect(pg.store.commitStats.flushes).toBe(lanes.size);
    for (const [i, id] of ids.entries()) {
      const { execution, steps } = (await pg.store.getExecution(id))!;
      expect(execution).toMatchObject({ status: 'running', cursor: i + 2 });
      expect(steps.map((s) => [s.name, s.attempts])).toEqual([
        ['a', 1],
        ['b', 0],
      ]);
    }
  });

  it('applies same-key creates in call order across lanes; writes of a held create follow it', async () => {
    const [first, second, updateFirst, updateSecond] = await Promise.allSettled([
      pg.store.createExecution(makeExecution({ id: 'k0', idempotencyKey: 'key' })),
      pg.store.createExecution(makeExecution({ id: 'k1', idempotencyKey: 'key' })),
      pg.store.update({ id: 'k0', epoch: 0, set: { cursor: 1 } }),
      // k1 waits for k0's create (same key): its update follows it, and finds no k1.
      pg.store.update({ id: 'k1', epoch: 0, set: { cursor: 1 } }),
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: { id: 'k0', created: true } });
    expect(second).toEqual({ status: 'fulfilled', value: { id: 'k0', created: false } });
    expect(updateFirst.status).toBe('fulfilled');
    expect(updateSecond).toMatchObject({ status: 'rejected', reason: { code: 'EXECUTION_NOT_FOUND' } });
    expect((await pg.store.getExecution('k0'))!.execution.cursor).toBe(1);
    expect(await pg.store.countExecutions({})).toBe(1);
  });

  it('an update waiting on a row lock is refused once a claim committed first (fencing)', async () => {
    await pg.store.createExecution(
      makeExecution({ id: 'x', status: 'running', owner: 'n1', leaseUntil: NOW - 1, epoch: 1 }),
    );
    await withClient(async (other) => {
      // Another node's claim, still open: it holds the row.
      await other.query('BEGIN');
      await other.query(
        `UPDATE "${pg.store.schema}".executions SET owner = 'n2', epoch = epoch + 1 WHERE id = 'x'`,
      );
      const update = pg.store.update({
        id: 'x',
        epoch: 1,
        set: { cursor: 5 },
        steps: [makeStep('x', 'late')],
      });
      const outcome = update.then(
        () => 'applied',
        (error: unknown) => error,
      );
      // The update is on the wire, waiting for the lock.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await other.query('COMMIT');
      expect(await outcome).toBeInstanceOf(LeaseLostError);
    });
    const { execution, steps } = (await pg.store.getExecution('x'))!;
    expect(execution).toMatchObject({ owner: 'n2', epoch: 2, cursor: 0 });
    expect(steps).toEqual([]);
  });

  it('a claim (lane 0) racing updates (other lanes) of the same executions: each update applied or refused, never lost', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      await pg.store.createExecution(
        makeExecution({ id, status: 'running', owner: 'dead', leaseUntil: NOW - 1, epoch: 1 }),
      );
    }
    for (let round = 0; round < 3; round++) {
      const epochBefore = new Map<string, number>();
      for (const id of ids) epochBefore.set(id, (await pg.store.getExecution(id))!.execution.epoch);
      const updates = ids.map((id) =>
        pg.store.update({ id, epoch: epochBefore.get(id)!, set: { cursor: round + 10 } }).then(
          () => true,
          (error: unknown) => {
            expect(error).toBeInstanceOf(LeaseLostError);
            return false;
          },
        ),
      );
      const claim = pg.store.claimExecutions({
        owner: `n${round}`,
        leaseUntil: NOW - 1, // expired again at once: the next round can claim them too
        now: NOW,
        staleOwners: ['dead'],
        limit: ids.length,
      });
      const [applied, claimed] = await Promise.all([Promise.all(updates), claim]);
      const byId = new Map<string, ExecutionRecord>(claimed.map((r) => [r.id, r]));
      for (const [i, id] of ids.entries()) {
        const { execution } = (await pg.store.getExecution(id))!;
        const taken = byId.get(id);
        expect(execution.epoch).toBe(epochBefore.get(id)! + (taken ? 1 : 0));
        if (applied[i]) {
          // Applied: it is in the row, and a claim that took the row afterwards saw it.
          expect(execution.cursor).toBe(round + 10);
          if (taken) expect(taken.cursor).toBe(round + 10);
        } else {
          // Refused: only because the claim moved the epoch first; nothing of it was written.
          expect(taken).toBeDefined();
          expect(execution.cursor).not.toBe(round + 10);
        }
      }
    }
  });

  it('lease renewals (lane 0) and updates (other lanes) of the same rows do not deadlock', async () => {
    const ids = Array.from({ length: 80 }, (_, i) => `d${String(79 - i).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) {
      // Lease ends in the reverse of id order: a renewal scanning by lease would lock backwards.
      await pg.store.createExecution(
        makeExecution({ id, status: 'running', owner: 'n1', leaseUntil: NOW + 1000 - i, epoch: 1 }),
      );
    }
    const deadlocks = () =>
      withClient(async (c) => {
        const r = await c.query<{ n: string }>(
          'SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()',
        );
        return Number(r.rows[0]!.n);
      });
    const before = await deadlocks();
    const started = Date.now();
    for (let round = 0; round < 15; round++) {
      const renewed = await Promise.all([
        ...ids.map((id) => pg.store.update({ id, epoch: 1, set: { cursor: round } }).then(() => -1)),
        pg.store.renewLeases('n1', NOW + 5000 + round).then((renewed) => renewed.length),
        ...ids.map((id) => pg.store.update({ id, epoch: 1, set: { transitions: round } }).then(() => -1)),
      ]);
      expect(renewed.filter((n) => n >= 0)).toEqual([ids.length]);
    }
    // A deadlock would be detected after deadlock_timeout (1 s by default) and retried.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await deadlocks()) - before).toBe(0);
    expect((await pg.store.getExecution('d00'))!.execution).toMatchObject({ cursor: 14, transitions: 14 });
  });

  it('switches to cached generic plans once executions reaches GENERIC_MIN_BYTES, and keeps writing', async () => {
    const plans = (pg.store as unknown as { context: CommitContext }).context.plans;
    expect(plans.usesGenericPlans).toBe(false);
    // About 1,000 executions with a bulky state make the table pass 1 MB.
    const pad = 'p'.repeat(800);
    for (let batch = 0; batch < 15 && !plans.usesGenericPlans; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          pg.store.createExecution(makeExecution({ id: `g${batch}-${i}`, workerId: pad })),
        ),
      );
    }
    const bytes = await withClient(async (c) => {
      const r = await c.query<{ n: string }>(
        `SELECT pg_relation_size('"${pg.store.schema}".executions') AS n`,
      );
      return Number(r.rows[0]!.n);
    });
    expect(bytes).toBeGreaterThanOrEqual(GENERIC_MIN_BYTES);
    expect(plans.usesGenericPlans).toBe(true);
    // Same results on the generic plans: applied, refused (stale epoch), unknown.
    const results = await Promise.allSettled([
      pg.store.update({ id: 'g0-1', epoch: 0, set: { cursor: 3 }, steps: [makeStep('g0-1', 'a')] }),
      pg.store.update({ id: 'g0-2', epoch: 7, set: { cursor: 3 } }),
      pg.store.update({ id: 'nope', epoch: 0, set: { cursor: 3 } }),
    ]);
    expect(
      results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code)),
    ).toEqual(['ok', 'LEASE_LOST', 'EXECUTION_NOT_FOUND']);
    expect((await pg.store.getExecution('g0-1'))!.steps.map((s) => s.name)).toEqual(['a']);
  });
});
