/**
 * `orchestrator serve` on a PostgreSQL schema whose migration lock another session holds (a
 * migration stuck in a psql session, a node frozen mid-migration), with a short
 * `?migrationLockTimeoutMs=` in its `--store` URL: the process ends with a non-zero code and the
 * `MigrationLockHeldError` message naming the schema and the holder, instead of waiting.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_CLASS } from '../../src/store/postgres/migration-lock.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { type RunningCli, startCli } from './fixtures/cli-harness.js';

const TOKEN = 'migration-lock-test-token-0123456789';

let holder: pg.Client | undefined;
let server: RunningCli | undefined;
let schema: string | undefined;
afterEach(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await holder?.end().catch(() => undefined);
  if (schema !== undefined) await dropSchema(schema);
  holder = undefined;
  server = undefined;
  schema = undefined;
});

describe('serve while another session holds the migration lock', () => {
  it('exits non-zero with the MigrationLockHeldError naming the schema', async () => {
    await assertServerReachable();
    schema = freshSchema();
    holder = new pg.Client({ connectionString: PG_URL });
    holder.on('error', () => undefined);
    await holder.connect();
    const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    // The lock `init()` takes before migrating: class `orch`, the schema's hash.
    await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, schema]);

    const store = new URL(PG_URL);
    store.searchParams.set('schema', schema);
    store.searchParams.set('migrationLockTimeoutMs', '300');
    server = startCli(['serve', '--store', store.href, '--port', '0'], { ORCHESTRATOR_API_TOKEN: TOKEN });
    const result = await server.exited;

    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).not.toMatch(/listening on/);
    expect(result.stderr).toContain(
      `The migration lock of PostgreSQL schema '${schema}' is held by another session (backend pid ${pid}) ` +
        'and was not released within 300 ms (migrationLockTimeoutMs)',
    );
    // Nothing was created while it waited.
    const created = await holder.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(created.rowCount).toBe(0);
  });
});
