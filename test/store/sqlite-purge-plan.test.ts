import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareStatements } from '../../src/store/sqlite/statements.js';
import { migratedSqliteFile } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('SQLite purge: what a batch reads', () => {
  it('searches the status index for finished executions only, with or without statistics', async () => {
    const path = await migratedSqliteFile();
    const db = new Database(path);
    cleanups.push(() => {
      db.close();
    });
    const plan = () =>
      (
        db
          .prepare(`EXPLAIN QUERY PLAN ${prepareStatements(db).purgeCandidates.source}`)
          .all({ before: 1_000_000, limit: 500 }) as { detail: string }[]
      ).map((row) => row.detail);
    const finishedOnly = ['SEARCH executions USING INDEX executions_status (status=? AND created_at<?)'];
    expect(plan()).toEqual(finishedOnly);
    // Many old unfinished executions, then statistics that know about them.
    db.exec(`WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 20000)
      INSERT INTO executions (id, workflow_id, workflow_version, status, created_at, completed_at, state)
      SELECT 'e' || x, 'w', 1, CASE WHEN x % 4 = 0 THEN 'completed' ELSE 'running' END, x,
        CASE WHEN x % 4 = 0 THEN x + 5 END, '{}' FROM g`);
    db.exec('ANALYZE');
    expect(plan()).toEqual(finishedOnly);
  });
});
