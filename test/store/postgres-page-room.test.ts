/**
 * The `executions` table keeps room on its pages for the new versions of a row (migration 004):
 * a step's update that changes no indexed column stays on the row's page (a HOT update, no
 * new index entries), even when every execution of a full page is updated.
 *
 * One update per row: the free half of a page holds one new version of each of its rows by
 * itself. Later updates stay on the page only once PostgreSQL prunes the dead versions, which any
 * transaction open elsewhere on the server (another test file running at the same time, a stopped
 * process in the cluster tests) can hold back, so asserting them would make this test depend on
 * its neighbours.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from './pg-fixture.js';
import { makeExecution, makeStep } from './records.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** The heap page each execution's current row version is on, by id. */
async function pages(schema: string): Promise<Map<string, number>> {
  const result = await withClient((client) =>
    client.query<{ id: string; page: string }>(
      `SELECT id, split_part(trim(both '()' from ctid::text), ',', 1) AS page FROM "${schema}".executions`,
    ),
  );
  return new Map(result.rows.map((row) => [row.id, Number(row.page)]));
}

/** A store on a fresh schema; both are closed and dropped after the test. */
async function openStore(): Promise<{ schema: string; store: PostgresStore }> {
  const schema = freshSchema();
  cleanups.push(() => dropSchema(schema));
  const store = new PostgresStore(PG_URL, { schema });
  cleanups.push(() => store.close());
  await store.init();
  return { schema, store };
}

describe('PostgreSQL store: room for updates on the executions pages', () => {
  it('creates executions with fillfactor 50', async () => {
    const { schema } = await openStore();
    const result = await withClient((client) =>
      client.query<{ reloptions: string[] | null }>(
        `SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = 'executions'`,
        [schema],
      ),
    );
    expect(result.rows[0]?.reloptions).toContain('fillfactor=50');
  });

  it('keeps each execution on its page through a step update of every row', async () => {
    const { schema, store } = await openStore();
    // Rows of the size the engine writes (~0.4 kB), enough to fill several pages.
    const executions = Array.from({ length: 60 }, () =>
      makeExecution({ status: 'running', workerId: `worker-${'w'.repeat(40)}`, lastStep: 'step-0' }),
    );
    await Promise.all(executions.map((e) => store.createExecution(e)));
    const before = await pages(schema);
    expect(new Set(before.values()).size).toBeGreaterThan(1);
    await Promise.all(
      executions.map((e) =>
        store.update({
          id: e.id,
          epoch: 0,
          set: { cursor: 1, transitions: 1, lastStep: 'step-1', stepsRun: 1, completionSeq: 1 },
          steps: [makeStep(e.id, 'step-1', { status: 'completed', output: { ok: true, step: 1 } })],
        }),
      ),
    );
    const after = await pages(schema);
    const moved = [...before].filter(([id, page]) => after.get(id) !== page).map(([id]) => id);
    expect(moved).toEqual([]);
  });
});
