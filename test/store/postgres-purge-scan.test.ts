/**
 * Retention on PostgreSQL reads only what it deletes. A store holds many long-running executions
 * (pending, running) created long before the purge's cutoff, and finished ones created before it
 * that completed after it; a purge batch must not visit them, nor scan whole tables: each batch
 * would read them all again. Observed with EXPLAIN ANALYZE (rows each scan returned or filtered
 * out) of the store's own purge statement, in a transaction rolled back, on analysed tables.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { buildSql } from '../../src/store/postgres/statements.js';
import { storePerTest, withClient } from './pg-fixture.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

/** Rows each table's scans read (returned or filtered out), over the whole plan. */
function rowsRead(node: PlanNode, out: Map<string, number> = new Map()): Map<string, number> {
  const table = node['Relation Name'];
  if (table && SCANS.has(node['Node Type'])) {
    const perLoop =
      (node['Actual Rows'] ?? 0) +
      (node['Rows Removed by Filter'] ?? 0) +
      (node['Rows Removed by Index Recheck'] ?? 0);
    out.set(table, (out.get(table) ?? 0) + perLoop * (node['Actual Loops'] ?? 1));
  }
  for (const child of node.Plans ?? []) rowsRead(child, out);
  return out;
}

const CUTOFF = 1_000_000;
const BATCH = 500;

/**
 * 15,000 unfinished and 2,000 late-finishing executions created before the cutoff, 8,000 to delete:
 * under 30,000 rows, so ANALYZE reads them all (the plan does not depend on a random sample).
 */
async function seed(client: pg.Client, schema: string): Promise<void> {
  await client.query(`SET search_path TO "${schema}"`);
  const insert = (from: number, to: number, status: string, created: string, completed: string) =>
    client.query(`INSERT INTO executions (id, workflow_id, workflow_version, status, created_at, completed_at,
        owner, lease_until, state)
      SELECT 'x' || g, 'w', 1, ${status}, ${created}, ${completed}, 'n1', 9e15, '{}'
      FROM generate_series(${from}, ${to}) g`);
  await insert(1, 15_000, "CASE WHEN g % 2 = 0 THEN 'pending' ELSE 'running' END", 'g', 'NULL');
  await insert(20_001, 22_000, "'failed'", 'g', `${CUTOFF} + g`);
  await insert(30_001, 38_000, "'completed'", '100000 + g', '200000 + g');
  await client.query(`INSERT INTO steps (execution_id, name, record)
    SELECT id, s, '{}' FROM executions, (VALUES ('a'), ('b')) v(s)`);
  await client.query(`INSERT INTO execution_inputs (execution_id, input) SELECT id, '{}' FROM executions`);
  await client.query('ANALYZE executions, steps, execution_inputs');
}

async function explainPurge(client: pg.Client, schema: string): Promise<Map<string, number>> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${buildSql(schema).purge}`, [
      CUTOFF,
      BATCH,
    ]);
    const plan = (rows[0] as { 'QUERY PLAN': { Plan: PlanNode }[] })['QUERY PLAN'][0]!.Plan;
    return rowsRead(plan);
  } finally {
    await client.query('ROLLBACK');
  }
}

describe('PostgreSQL purge: rows read per batch', () => {
  const fixture = storePerTest({ poolSize: 2 });

  it('reads only the batch it deletes, not the old unfinished or late-finishing executions', async () => {
    const { store } = fixture;
    const { schema } = store;
    await withClient(async (client) => {
      await seed(client, schema);
      // Each deleted execution read at most twice (found, then deleted), with its 2 steps, input.
      const bounds = { executions: 2 * BATCH, steps: 2 * 2 * BATCH, execution_inputs: 2 * BATCH };
      const withinBounds = (read: Map<string, number>) => {
        for (const [table, max] of Object.entries(bounds)) {
          expect(read.get(table) ?? 0, `rows of ${table} read`).toBeLessThanOrEqual(max);
        }
      };
      withinBounds(await explainPurge(client, schema));
      expect(await store.purgeFinished({ before: CUTOFF, limit: BATCH })).toBe(BATCH);
      withinBounds(await explainPurge(client, schema));
      expect(await store.purgeFinished({ before: CUTOFF, limit: BATCH })).toBe(BATCH);
      expect(await store.purgeFinished({ before: CUTOFF, limit: 10_000 })).toBe(7_000);
      expect(await store.countExecutions({})).toBe(17_000);
    });
  });
});
