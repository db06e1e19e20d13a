/**
 * A node whose migration lock is held by another session (a stuck migration in a psql session, a
 * node frozen mid-migration) waits for it only `migrationLockTimeoutMs`, then fails with a
 * `MigrationLockHeldError` naming the schema, the wait and the holder's backend pid; it used to wait
 * forever. A holder that lets go within the wait is waited for.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationLockHeldError, OrchestratorError, ValidationError } from '../../src/index.js';
import { LOCK_CLASS, loadMigrations } from '../../src/store/postgres/migrate.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { holdMigrationLock, type MigrationLockHolder } from './hold-migration-lock.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from './pg-fixture.js';

/** Resolves once a session waits for the schema's migration lock (read from pg_locks). */
async function someoneWaits(observer: pg.Client, schema: string): Promise<void> {
  for (;;) {
    const rows = await observer.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
         AND classid = $1::int4::oid AND objid = hashtext($2)::oid AND objsubid = 2`,
      [LOCK_CLASS, schema],
    );
    if (rows.rowCount) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('PostgreSQL migration lock', () => {
  let schema: string;
  let holder: MigrationLockHolder | undefined;
  let store: PostgresStore | undefined;

  beforeEach(async () => {
    await assertServerReachable();
    schema = freshSchema();
  });

  afterEach(async () => {
    await store?.close();
    await holder?.client.end().catch(() => undefined);
    store = undefined;
    holder = undefined;
    await dropSchema(schema);
  });

  it('held by another session past migrationLockTimeoutMs fails the start with a typed error naming the holder', async () => {
    holder = await holdMigrationLock(schema);
    store = new PostgresStore(PG_URL, { schema, migrationLockTimeoutMs: 200 });
    const error = await store.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationLockHeldError);
    expect(error).toBeInstanceOf(OrchestratorError);
    const held = error as MigrationLockHeldError;
    expect(held.code).toBe('STORE_UNAVAILABLE');
    expect(held.schema).toBe(schema);
    expect(held.waitedMs).toBe(200);
    expect(held.holderPid).toBe(holder.pid);
    expect(held.message).toBe(
      `The migration lock of PostgreSQL schema '${schema}' is held by another session (backend pid ${holder.pid}) ` +
        'and was not released within 200 ms (migrationLockTimeoutMs): another node may be migrating ' +
        `this schema, or a migration is stuck. Look the session up in pg_stat_activity (pid ${holder.pid}), ` +
        'or raise migrationLockTimeoutMs.',
    );
    // Nothing was created while it waited, and the next start once the lock is free migrates.
    await holder.client.query('SELECT pg_advisory_unlock_all()');
    await store.init();
    const count = await holder.client.query(`SELECT count(*)::int AS n FROM "${schema}".schema_migrations`);
    expect(count.rows[0].n).toBe(loadMigrations().length);
  });

  it('is waited for while its holder lets go within the wait', async () => {
    holder = await holdMigrationLock(schema);
    const observer = new pg.Client({ connectionString: PG_URL });
    await observer.connect();
    try {
      store = new PostgresStore(PG_URL, { schema, migrationLockTimeoutMs: 60_000 });
      const started = store.init();
      await someoneWaits(observer, schema);
      await holder.client.query('SELECT pg_advisory_unlock_all()');
      await started;
      // It went on to migrate once the lock was its own: every shipped migration is applied.
      const applied = await observer.query(`SELECT count(*)::int AS n FROM "${schema}".schema_migrations`);
      expect(applied.rows[0].n).toBe(loadMigrations().length);
    } finally {
      await observer.end();
    }
  });

  it('takes 0 (wait without a deadline) up to 2^31-1 ms and refuses anything else, naming the option', () => {
    for (const value of [0, 1, 2_147_483_647]) {
      expect(() => new PostgresStore(PG_URL, { migrationLockTimeoutMs: value })).not.toThrow();
    }
    for (const value of [-1, 1.5, 2_147_483_648, Number.NaN]) {
      expect(() => new PostgresStore(PG_URL, { migrationLockTimeoutMs: value })).toThrow(ValidationError);
      expect(() => new PostgresStore(PG_URL, { migrationLockTimeoutMs: value })).toThrow(
        /^Invalid PostgresStore options: migrationLockTimeoutMs: /,
      );
    }
  });
});
