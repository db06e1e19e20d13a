/**
 * PostgreSQL-only behaviour of writes: group commit shares transactions, a failing operation is
 * rejected alone, and what JSONB does to U+0000.
 */
import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/errors.js';
import { storePerTest, withClient } from './pg-fixture.js';
import { makeExecution, makeStep } from './records.js';

const pg = storePerTest({ writeLanes: 1 });

describe('PostgreSQL store: group commit', () => {
  it('a connection that dies in the middle of a flush fails that flush only', async () => {
    await pg.store.createExecution(makeExecution({ id: 'x', epoch: 1 }));
    // Another session holds the row: the store's next flush waits on the lock, mid-transaction.
    await withClient(async (holder) => {
      await holder.query('BEGIN');
      await holder.query(`UPDATE "${pg.store.schema}".executions SET epoch = epoch WHERE id = 'x'`);
      const blocked = pg.store.update({ id: 'x', epoch: 1, set: { cursor: 1 } });
      const outcome = blocked.then(
        () => 'committed',
        (error: { code?: string }) => error.code,
      );
      // The connection carrying that flush is cut (a server restart, an admin, a network drop).
      await withClient(async (admin) => {
        for (let i = 0; i < 200; i++) {
          const killed = await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [`orchestrator:${pg.store.schema}`],
          );
          if (killed.rowCount) break;
          await new Promise((r) => setTimeout(r, 10));
        }
      });
      expect(await outcome).toBe('STORE_UNAVAILABLE');
      await holder.query('ROLLBACK');
    });
    // The process is still fine (no unhandled 'error' event) and the store carries on.
    await pg.store.update({ id: 'x', epoch: 1, set: { cursor: 2 } });
    expect((await pg.store.getExecution('x'))?.execution.cursor).toBe(2);
  });

  it('a write lane whose idle connection ends gives it back to the pool: writes go on after many such ends', async () => {
    // An admin's pg_terminate_backend, or the server's own idle_session_timeout, ending the lane's
    // connection between two flushes. The pool holds 4 connections: each end must free its slot.
    for (let round = 0; round < 6; round++) {
      expect(await writeSoon(() => pg.store.createExecution(makeExecution()))).toBe('written');
      await withClient((admin) =>
        admin.query(
          `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1`,
          [`orchestrator:${pg.store.schema}`],
        ),
      );
    }
    expect(await writeSoon(() => pg.store.createExecution(makeExecution()))).toBe('written');
  });

  it('commits the writes of one tick in one transaction per lane, creates and updates set-based', async () => {
    expect(pg.store.writeLanes).toBe(1);
    const ids = Array.from({ length: 100 }, (_, i) => `g${i}`);
    await Promise.all(ids.map((id) => pg.store.createExecution(makeExecution({ id }), [makeStep(id, 'a')])));
    expect(pg.store.commitStats).toEqual({ flushes: 1, operations: 100, merged: 0 });
    await Promise.all(
      ids.flatMap((id, i) => [
        pg.store.update({
          id,
          epoch: 0,
          set: { status: 'running' },
          steps: [makeStep(id, 'a', { attempts: 1 })],
        }),
        pg.store.update({ id, epoch: 0, set: { cursor: i }, steps: [makeStep(id, 'b')] }),
      ]),
    );
    expect(pg.store.commitStats).toEqual({ flushes: 2, operations: 200, merged: 100 });
    const snapshot = (await pg.store.getExecution('g7'))!;
    expect(snapshot.execution).toMatchObject({ status: 'running', cursor: 7 });
    expect(snapshot.steps.map((s) => [s.name, s.attempts])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
  });

  it('a write the server rejects fails alone; the rest of its transaction commits', async () => {
    await pg.store.createExecution(makeExecution({ id: 'ok', epoch: 1 }));
    const results = await Promise.allSettled([
      pg.store.update({ id: 'ok', epoch: 1, set: { cursor: 1 } }),
      // PostgreSQL text cannot hold a NUL byte: this statement fails on the server.
      pg.store.createExecution(makeExecution({ id: 'bad\u0000id' })),
      pg.store.update({ id: 'ok', epoch: 0, set: { cursor: 99 } }),
      pg.store.createExecution(makeExecution({ id: 'fine' }), [makeStep('fine', 'a')]),
      pg.store.update({ id: 'ok', epoch: 1, steps: [makeStep('ok', 'z')] }),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
    const ok = (await pg.store.getExecution('ok'))!;
    expect(ok.execution.cursor).toBe(1);
    expect(ok.steps.map((s) => s.name)).toEqual(['z']);
    expect((await pg.store.getExecution('fine'))!.steps).toHaveLength(1);
    expect(await pg.store.countExecutions({})).toBe(2);
  });

  it('keeps U+0000 in input and steps; execution fields (JSONB) pg.store it as U+FFFD', async () => {
    await pg.store.createExecution(makeExecution({ id: 'nul', input: { s: 'a\u0000b' } }), [
      makeStep('nul', 'a', { output: 'x\u0000y' }),
    ]);
    await pg.store.update({
      id: 'nul',
      epoch: 0,
      set: { error: { code: 'E', message: 'm\u0000n \\u0000' } },
    });
    const { execution, steps } = (await pg.store.getExecution('nul'))!;
    expect(execution.input).toEqual({ s: 'a\u0000b' });
    expect(steps[0]!.output).toBe('x\u0000y');
    expect(execution.error).toEqual({ code: 'E', message: 'm\ufffdn \\u0000' });
  });
});

/**
 * Runs `write` until it succeeds (a write sent before the store noticed its connection ended
 * fails with STORE_UNAVAILABLE: the next one must get a live connection), for up to 3 s.
 */
async function writeSoon(write: () => Promise<unknown>): Promise<string> {
  const deadline = Date.now() + 3_000;
  let last = 'nothing';
  while (Date.now() < deadline) {
    const timer = new Promise<string>((resolve) =>
      setTimeout(() => resolve('pending'), deadline - Date.now()),
    );
    last = await Promise.race([
      write().then(
        () => 'written',
        (error: { code?: string }) => `rejected ${error.code}`,
      ),
      timer,
    ]);
    if (last === 'written') return last;
  }
  return last;
}
