/**
 * An execution whose workflow version has no stored definition (a definitions row removed by hand,
 * a store restored from mismatched backups) cannot run on any node. The node that claims it lets it
 * go, untouched, and claims it no more — it used to hold it, its lease renewed for as long as the
 * node lived, so that even restoring the definition left it stuck until that node stopped. It reads
 * the definition again one sweepInterval later, then at doubling intervals, and runs the execution
 * once the definition is back — it used to skip the version until it restarted.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import {
  driveClock,
  registrationLeftRunning,
  runToEnd,
  tempSqliteUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** Runs SQL on the SQLite file behind a store URL. */
function sql(store: string, fn: (db: Database.Database) => void): void {
  const db = new Database(store.slice('sqlite:'.length));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

describe('an execution whose workflow version has no stored definition', () => {
  it('is released, claimed no more, and runs once the definition is back', async () => {
    const store = tempSqliteUrl();
    const timing = { sweepInterval: 0.05, leaseSeconds: 0.5 };
    const id = await registrationLeftRunning(store, timing);
    let saved: unknown[] = [];
    sql(store, (db) => {
      saved = db.prepare('SELECT * FROM definitions').all();
      db.prepare('DELETE FROM definitions').run();
    });

    const a = await withOrchestrator({ store, ...timing, actions: { register: () => 'registered' } });
    const taken = (await a.store.getExecution(id))?.execution;
    expect(taken).toMatchObject({ owner: null, leaseUntil: null, status: 'running' });
    // Several rounds later: still unowned, and not claimed again (the epoch did not move).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await a.store.getExecution(id))?.execution).toMatchObject({ owner: null, epoch: taken?.epoch });
    // A cancel from here cannot compensate without the definition: refused at once, request kept.
    expect(await a.workflowEngine.cancelWorkflow(id)).toBe(false);
    // The node runs its other work.
    await a.workflowEngine.defineWorkflow('hello', [{ name: 'register' }]);
    expect((await runToEnd(a, 'hello')).status).toBe('completed');
    await a.close();

    // The definition is restored: the next process runs (here: cancels, as requested) it.
    sql(store, (db) => {
      const insert = db.prepare(
        'INSERT INTO definitions (id, version, created_at, body) VALUES (?, ?, ?, ?)',
      );
      for (const row of saved as { id: string; version: number; created_at: number; body: string }[]) {
        if (row.id === 'registration') insert.run(row.id, row.version, row.created_at, row.body);
      }
    });
    const b = await withOrchestrator({ store, ...timing, actions: { register: () => 'registered' } });
    expect((await b.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('cancelled');
  });

  /**
   * A node on a fake clock that found no definition of a running execution's version at start (it
   * released the execution), and a way to store the definition again.
   */
  async function missingAtStart() {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const timing = { clock, sweepInterval: 1, leaseSeconds: 3 };
    const id = await registrationLeftRunning(store, timing);
    let saved: { id: string; version: number; created_at: number; body: string }[] = [];
    sql(store, (db) => {
      saved = db.prepare('SELECT * FROM definitions').all() as typeof saved;
      db.prepare('DELETE FROM definitions').run();
    });
    const node = await withOrchestrator({ store, ...timing, actions: { register: () => 'registered' } });
    const released = (await node.store.getExecution(id))?.execution;
    expect(released).toMatchObject({ owner: null, status: 'running' });
    const restore = () =>
      sql(store, (db) => {
        const insert = db.prepare(
          'INSERT INTO definitions (id, version, created_at, body) VALUES (?, ?, ?, ?)',
        );
        for (const row of saved) insert.run(row.id, row.version, row.created_at, row.body);
      });
    return { clock, id, node, epoch: released?.epoch, restore, missedAt: clock.now() };
  }

  it('is run by the same node one sweepInterval after the definition can be read', async () => {
    // As when the node read the store before another node's define was visible to it.
    const { clock, id, node, restore, missedAt } = await missingAtStart();
    restore();
    const status = await driveClock(clock, node.workflowEngine.waitForCompletion(id), { maxMs: 60_000 });
    expect(status).toMatchObject({ status: 'completed', outputData: { register: 'registered' } });
    // Read again one sweepInterval (1 s) after it was found missing, claimed at the next round.
    expect(clock.now() - missedAt).toBeLessThanOrEqual(2_000);
  });

  it('while it stays missing, is read again at growing intervals, not claimed', async () => {
    const { clock, id, node, epoch, restore } = await missingAtStart();
    await clock.advance(10_000);
    expect((await node.store.getExecution(id))?.execution).toMatchObject({ owner: null, epoch });
    restore();
    const restoredAt = clock.now();
    const status = await driveClock(clock, node.workflowEngine.waitForCompletion(id), { maxMs: 60_000 });
    expect(status).toMatchObject({ status: 'completed', outputData: { register: 'registered' } });
    // Read at 1, 3, 7 and 15 s (the wait doubles, up to a minute): run within 8 s of the restore.
    expect(clock.now() - restoredAt).toBeLessThanOrEqual(8_000 + 1_000);
  });
});
