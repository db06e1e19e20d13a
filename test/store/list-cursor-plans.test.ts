import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { filterArgs } from '../../src/store/filter-args.js';
import { buildSql } from '../../src/store/postgres/statements.js';
import { prepareStatements } from '../../src/store/sqlite/statements.js';
import { storePerTest, withClient } from './pg-fixture.js';
import { migratedSqliteFile } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Rows of `executions` the plan's scans read (returned or filtered out). */
function rowsRead(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'executions'
      ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}

const place = { createdAt: 15_000, id: 'x15000' };
const FILTERS = [{}, { status: 'completed' }, { workflowId: 'w' }, { status: 'completed', workflowId: 'w' }];
/** Every filter with a cursor each way. */
const SHAPES = FILTERS.flatMap((filter) => [
  { ...filter, before: place },
  { ...filter, after: place },
]);

describe('SQLite listing from a cursor', () => {
  it('searches a newest-first index from the cursor, with every filter', async () => {
    const path = await migratedSqliteFile();
    const db = new Database(path);
    cleanups.push(() => {
      db.close();
    });
    const statements = prepareStatements(db);
    for (const shape of SHAPES) {
      const [index, args] = filterArgs(shape);
      const plan = (
        db.prepare(`EXPLAIN QUERY PLAN ${statements.list[index]!.source}`).all(...args, 10, 0) as {
          detail: string;
        }[]
      ).map((row) => row.detail);
      expect(plan[0], JSON.stringify(shape)).toMatch(
        /^SEARCH e USING INDEX executions_(created|status|workflow) \((\w+=\? AND )?\(created_at,id\)[<>]\(\?,\?\)\)$/,
      );
      expect(plan.join('\n'), JSON.stringify(shape)).not.toContain('TEMP B-TREE');
    }
  });
});

describe('PostgreSQL listing from a cursor', () => {
  const fixture = storePerTest({ poolSize: 2 });

  it('reads the page, not the 10,000 executions on the far side of the cursor', async () => {
    const { schema } = fixture.store;
    await withClient(async (client) => {
      await client.query(`SET search_path TO "${schema}"`);
      await client.query(`INSERT INTO executions (id, workflow_id, workflow_version, status, created_at, state)
        SELECT 'x' || g, 'w', 1, 'completed', g, '{}' FROM generate_series(1, 25000) g`);
      await client.query('ANALYZE executions');
      const sql = buildSql(schema);
      for (const shape of SHAPES) {
        const [index, args] = filterArgs(shape);
        const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql.list[index]!}`, [
          ...args,
          10,
          0,
        ]);
        const plan = (rows[0] as { 'QUERY PLAN': { Plan: PlanNode }[] })['QUERY PLAN'][0]!.Plan;
        // Returned or filtered out: an index scan from the top would filter out the 10,000.
        expect(rowsRead(plan), JSON.stringify(shape)).toBeLessThanOrEqual(10);
        expect(JSON.stringify(plan), JSON.stringify(shape)).not.toContain('Seq Scan');
      }
    });
  });
});
