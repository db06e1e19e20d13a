/**
 * `run --json` interrupted before its execution starts (here: while the store waits for the
 * PostgreSQL migration lock another session holds) still prints one JSON document on stdout.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_CLASS } from '../../src/store/postgres/migrate.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { parseJson, type RunningCli, startCli } from './fixtures/cli-harness.js';

const SCHEMA = freshSchema();
const url = new URL(PG_URL);
url.searchParams.set('schema', SCHEMA);

beforeAll(assertServerReachable);
afterAll(() => dropSchema(SCHEMA));

/** Resolves once another session waits for an advisory lock (the CLI opening its store). */
async function lockWaiter(client: pg.Client, cli: RunningCli): Promise<void> {
  for (;;) {
    if (cli.child.exitCode !== null) throw new Error(`the CLI exited early:\n${cli.stderr()}`);
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid <> pg_backend_pid()",
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('run --json interrupted before the execution starts', () => {
  it('exits 130 with an INTERRUPTED error document on stdout', async () => {
    const holder = new pg.Client({ connectionString: PG_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, SCHEMA]);
      const running = startCli(['--json', 'run', 'test/e2e/fixtures/cli-noop.json', '--store', url.href]);
      await lockWaiter(holder, running);
      running.child.kill('SIGINT');
      await holder.query('COMMIT');
      const r = await running.exited;
      expect(r.code).toBe(130);
      const doc = parseJson<{ error: { code: string; message: string } }>(r.stdout);
      expect(doc.error.code).toBe('INTERRUPTED');
      expect(doc.error.message).toMatch(/^interrupted: closing\. Unfinished executions stay in the store/);
    } finally {
      await holder.end();
    }
  });
});
