/**
 * A second PostgreSQL session holding a schema's migration lock, as a stuck migration in a psql
 * session or a node frozen mid-migration does, for the tests of the wait for it.
 * @module
 */
import pg from 'pg';
import { LOCK_CLASS } from '../../src/store/postgres/migration-lock.js';
import { PG_URL } from './pg-fixture.js';

/** A session on its own connection, holding the migration lock of `schema` until it ends. */
export interface MigrationLockHolder {
  client: pg.Client;
  /** Its backend pid (what `MigrationLockHeldError` names). */
  pid: number;
}

export async function holdMigrationLock(schema: string): Promise<MigrationLockHolder> {
  const client = new pg.Client({ connectionString: PG_URL });
  client.on('error', () => undefined);
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
  return { client, pid: pid as number };
}
