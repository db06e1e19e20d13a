/**
 * An execution whose workflow version has no stored definition (a definitions row removed by hand,
 * a store restored from mismatched backups) cannot run on any node. The node that claims it lets it
 * go, untouched, and claims it no more — it used to hold it, its lease renewed for as long as the
 * node lived, so that even restoring the definition left it stuck until that node stopped.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
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
});
