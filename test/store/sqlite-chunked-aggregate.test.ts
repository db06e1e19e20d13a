import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { aggregateExceptInChunks } from '../../src/store/sqlite/chunked-aggregate.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { prepareStatements } from '../../src/store/sqlite/statements.js';
import { migratedSqliteFile } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A store file with 500 executions of three workflows and owners, and purged counts. */
async function filledFile(): Promise<string> {
  const path = await migratedSqliteFile();
  const db = new Database(path);
  db.exec(`WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 500)
    INSERT INTO executions (id, workflow_id, workflow_version, status, created_at, owner, compensated, steps_run, steps_retried, state)
    SELECT printf('e%05d', x), 'w' || (x % 3), 1,
      CASE x % 4 WHEN 0 THEN 'completed' WHEN 1 THEN 'failed' WHEN 2 THEN 'running' ELSE 'pending' END,
      1000 + x, CASE x % 5 WHEN 0 THEN NULL WHEN 1 THEN 'me' ELSE 'other' END, x % 2, x % 7, x % 2, '{}' FROM g`);
  db.exec(`INSERT INTO purged_counts VALUES ('w1', 'other', 'completed', 40, 3, 80, 5),
    ('w2', 'me', 'completed', 7, 0, 7, 0)`);
  db.close();
  return path;
}

function byKey(rows: { workflow_id: string; status: string }[]) {
  return [...rows].sort((a, b) => `${a.workflow_id}${a.status}`.localeCompare(`${b.workflow_id}${b.status}`));
}

describe('SQLite: the others counts, read in chunks', () => {
  it('are the one statement’s counts, whatever the chunk, with the event loop run between chunks', async () => {
    const path = await filledFile();
    const db = new Database(path, { readonly: true });
    cleanups.push(() => {
      db.close();
    });
    const whole = prepareStatements(db).aggregateByWorkflowExcept.all('me', 'me') as {
      workflow_id: string;
      status: string;
    }[];
    expect(whole.length).toBeGreaterThan(6);
    for (const chunk of [7, 100, 20_000]) {
      let turns = 0;
      let spinning = true;
      const spin = () => {
        turns++;
        if (spinning) setImmediate(spin);
      };
      setImmediate(spin);
      const rows = await aggregateExceptInChunks(
        db,
        'me',
        () => true,
        () => new Error('closed'),
        chunk,
      );
      spinning = false;
      expect(byKey(rows)).toEqual(byKey(whole));
      // A turn of the loop per chunk at least (500 rows).
      expect(turns).toBeGreaterThanOrEqual(Math.ceil(500 / chunk) - 1);
    }
  });

  it('stop with the store’s error when it closes during the read', async () => {
    const path = await filledFile();
    const db = new Database(path, { readonly: true });
    cleanups.push(() => {
      db.close();
    });
    let open = true;
    const read = aggregateExceptInChunks(
      db,
      'me',
      () => open,
      () => new Error('The store is closed'),
      10,
    );
    open = false;
    await expect(read).rejects.toThrow('The store is closed');
    expect(db.inTransaction).toBe(false);
  });

  it('come through the store as before, and a store closed meanwhile ends the read', async () => {
    const path = await filledFile();
    const store = new SqliteStore(path);
    await store.init();
    cleanups.push(() => store.close());
    const except = await store.aggregateByWorkflow({ exceptOwner: 'me' });
    const all = await store.aggregateByWorkflow();
    const mine = await store.aggregateByWorkflow({ owner: 'me' });
    for (const [workflow, counts] of all) {
      const others = except.get(workflow);
      const own = mine.get(workflow);
      for (const status of Object.keys(counts.byStatus) as (keyof typeof counts.byStatus)[]) {
        expect((others?.byStatus[status] ?? 0) + (own?.byStatus[status] ?? 0)).toBe(counts.byStatus[status]);
      }
      expect((others?.stepsRun ?? 0) + (own?.stepsRun ?? 0)).toBe(counts.stepsRun);
    }
    // Reads at once take turns on the connection (one read transaction each).
    const together = await Promise.all([1, 2, 3].map(() => store.aggregateByWorkflow({ exceptOwner: 'me' })));
    for (const counts of together) expect(counts).toEqual(except);
    const reading = store.aggregateByWorkflow({ exceptOwner: 'me' });
    await store.close();
    // The read started before the close ends either way: with its counts, or refused as closed.
    await reading.then(
      (counts) => expect(counts.size).toBe(3),
      (error: Error) => expect(error.message).toBe('The store is closed'),
    );
    await expect(store.aggregateByWorkflow({ exceptOwner: 'me' })).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
