/**
 * A migration of the PostgreSQL store creates tables and indexes by name; a schema that already
 * holds one of those names (another application's `executions` table, say) failed it with the
 * server's bare `relation "executions" already exists`. This names the schema and every taken name.
 * @module
 */
import type pg from 'pg';
import { OrchestratorError } from '../../errors.js';
import { createdNames } from '../migration-files.js';
import { bounded } from './connection.js';

/** What `pg_class.relkind` says a relation is. */
const KINDS: Readonly<Record<string, string>> = {
  r: 'table',
  p: 'partitioned table',
  i: 'index',
  I: 'partitioned index',
  v: 'view',
  m: 'materialized view',
  S: 'sequence',
  f: 'foreign table',
  c: 'type',
};

/**
 * Throws `STORE_UNAVAILABLE` when `schema` already holds a relation of a name `sql` (a migration
 * not recorded yet, about to run in the caller's transaction) creates: it belongs to something
 * else. Names every one taken, and what it is.
 */
export async function refuseTakenNames(
  client: pg.ClientBase,
  schema: string,
  migration: { name: string; sql: string },
  ms: number,
): Promise<void> {
  // Unquoted names fold to lower case, as the server reads the migration's.
  const names = createdNames(migration.sql).map(([, name]) => name.toLowerCase());
  if (names.length === 0) return;
  const found = await client.query<{ name: string; kind: string }>(
    bounded(
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = ANY($2::text[])`,
      ms,
      [schema, names],
    ),
  );
  if (found.rows.length === 0) return;
  const order = (name: string) => names.indexOf(name);
  const taken = found.rows
    .sort((a, b) => order(a.name) - order(b.name))
    .map((row) => `${KINDS[row.kind] ?? 'relation'} "${row.name}"`);
  throw new OrchestratorError(
    'STORE_UNAVAILABLE',
    `PostgreSQL migration of schema '${schema}' failed (${migration.name}): the schema already has ${taken.join(', ')}, ` +
      `${taken.length === 1 ? 'a name' : 'names'} the store creates, of something else (no store migration ` +
      'records them). Point this Orchestrator at a schema of its own (?schema=).',
  );
}
