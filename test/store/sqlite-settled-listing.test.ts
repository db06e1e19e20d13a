import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { prepareStatements } from '../../src/store/sqlite/statements.js';
import { migratedSqliteFile } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A store file with 3,000 executions of workflows a and b, every fifth failed, every seventh cancelled. */
async function filledStore(): Promise<{ path: string; store: SqliteStore }> {
  const path = await migratedSqliteFile();
  const db = new Database(path);
  db.exec(`WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 3000)
    INSERT INTO executions (id, workflow_id, workflow_version, status, created_at, state)
    SELECT printf('e%05d', x), CASE WHEN x % 2 THEN 'a' ELSE 'b' END, 1,
      CASE WHEN x % 5 = 0 THEN 'failed' WHEN x % 7 = 0 THEN 'cancelled' ELSE 'completed' END,
      1000000 + x / 3, '{}' FROM g`);
  db.close();
  const store = new SqliteStore(path);
  await store.init();
  cleanups.push(() => store.close());
  return { path, store };
}

describe("SQLite: a workflow's failed or cancelled executions", () => {
  it('are listed and counted from their own index, every shape with a status and a workflow', async () => {
    const { path } = await filledStore();
    const db = new Database(path, { readonly: true });
    cleanups.push(() => {
      db.close();
    });
    const s = prepareStatements(db);
    for (const shape of [3, 7, 11, 15]) {
      const args = [
        'failed',
        'a',
        ...(shape & 4 ? [1000500, 'e01500'] : []),
        ...(shape & 8 ? [1000100, 'e00300'] : []),
      ];
      const plan = (sql: string) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args, 50, 0) as { detail: string }[])
          .map((r) => r.detail)
          .join('; ');
      expect(plan(s.listSettled[shape]!.source)).toContain('USING INDEX executions_workflow_settled');
      // The same rows as the general statement, in the same order.
      expect(s.listSettled[shape]!.all(...args, 50, 0)).toEqual(s.list[shape]!.all(...args, 50, 0));
    }
    expect(s.countSettled[3]!.get('cancelled', 'b')).toBe(s.count[3]!.get('cancelled', 'b'));
    expect(s.countSettled[3]!.get('cancelled', 'b')).toBeGreaterThan(0);
  });

  it('come through the store newest first, paged with cursors, counted', async () => {
    const { store } = await filledStore();
    const expected = Array.from({ length: 3000 }, (_, i) => i + 1)
      .filter((x) => x % 2 === 1 && x % 5 !== 0 && x % 7 === 0)
      .map((x) => `e${String(x).padStart(5, '0')}`)
      .reverse();
    const seen: string[] = [];
    let before: { createdAt: number; id: string } | undefined;
    for (;;) {
      const page = await store.listExecutions({
        status: 'cancelled',
        workflowId: 'a',
        limit: 40,
        ...(before ? { before } : {}),
      });
      seen.push(...page.map((p) => p.execution.id));
      const last = page.at(-1)?.execution;
      if (!last || page.length < 40) break;
      before = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toEqual(expected);
    expect(await store.countExecutions({ status: 'cancelled', workflowId: 'a' })).toBe(expected.length);
    // Other statuses keep the general statements, with the same answers.
    expect(await store.countExecutions({ status: 'completed', workflowId: 'a' })).toBe(
      Array.from({ length: 3000 }, (_, i) => i + 1).filter((x) => x % 2 === 1 && x % 5 !== 0 && x % 7 !== 0)
        .length,
    );
  });
});
