/**
 * Schema migrations of the PostgreSQL store: numbered plain SQL files (`migrations/001_init.sql`,
 * `002_….sql`, ...) applied in order and recorded in `<schema>.schema_migrations`.
 *
 * The pending migrations run in one transaction that first takes a transaction-scoped advisory
 * lock for the schema (`pg_advisory_xact_lock`, see `migration-lock.ts`), then reads which
 * migrations are recorded: when several processes start at once, one applies them and the others
 * wait (at most `migrationLockTimeoutMs`), see them recorded and apply nothing. A failure rolls
 * the whole run back. The lock is released by COMMIT or ROLLBACK, never left behind by a lost
 * connection, and works through transaction-pooling proxies. The files are written without schema
 * names: they run with `search_path` set to the store's schema for that transaction only.
 * @module
 */

import pg from 'pg';
import { OrchestratorError, ValidationError } from '../../errors.js';
import { type Migration, readMigrations } from '../migration-files.js';
import { refuseForeignMigrations, refuseNewerSchema } from '../schema-version.js';
import {
  bounded,
  clientConfig,
  connectClient,
  connectTimeout,
  endClient,
  ident,
  queryTimeoutProblem,
} from './connection.js';
import { DEFAULT_MIGRATION_LOCK_TIMEOUT_MS, withMigrationLock } from './migration-lock.js';
import { refuseUnsupportedServer } from './server-check.js';
import { refuseTakenNames } from './taken-names.js';
import { cutText, shownUrl, type UrlPlace } from './url-options.js';

/** Where the migration files live: next to this module (copied to `dist/` by the build). */
export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export { LOCK_CLASS } from './migration-lock.js';

/** Reads the migration files of `dir`, ordered by number. */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  return readMigrations(dir, 'PostgreSQL');
}

/**
 * Creates `schema` and its `schema_migrations` table if missing, then applies the migrations not
 * recorded yet, all in ONE transaction under the migration lock: a migration that fails leaves
 * nothing behind — neither the earlier ones of this run nor a schema made for them — and the
 * next start applies them all again. A server older than PostgreSQL 12, or a database not in
 * UTF8, is refused first (see `server-check.ts`). Returns the versions this call applied (empty when the
 * schema was up to date, or another node migrated it while this one waited for the lock).
 * `client` must not pipeline (migration files hold several statements).
 * @param lockWaitMs how long to wait for another session's migration lock (0: without a deadline).
 * @param queryTimeoutMs how long each statement but the migrations' own may wait for its answer
 *   (0: without a deadline), so a server gone silent fails the start rather than hold it for ever.
 * @throws MigrationLockHeldError when another session held the lock for the whole wait.
 */
export async function migrate(
  client: pg.ClientBase,
  schema: string,
  migrations: Migration[] = loadMigrations(),
  lockWaitMs: number = DEFAULT_MIGRATION_LOCK_TIMEOUT_MS,
  queryTimeoutMs = 0,
): Promise<number[]> {
  const s = ident(schema);
  let current = '';
  try {
    await refuseUnsupportedServer(client, queryTimeoutMs);
    const body = async () => {
      const done = await recordedMigrations(client, schema, queryTimeoutMs);
      refuseNewerSchema(`PostgreSQL schema '${schema}'`, done, migrations);
      const applied: number[] = [];
      await client.query(bounded(`SET LOCAL search_path TO ${s}`, queryTimeoutMs));
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        current = ` (${migration.name})`;
        await refuseTakenNames(client, schema, migration, queryTimeoutMs);
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
        applied.push(migration.version);
      }
      return applied;
    };
    return await withMigrationLock(client, schema, lockWaitMs, body, queryTimeoutMs);
  } catch (error) {
    // Refusals of the store (newer, another tool's, a server too old or not UTF8) and a held lock pass through as they are.
    if (error instanceof OrchestratorError) throw error;
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      `PostgreSQL migration of schema '${schema}' failed${current}: ${queryTimeoutProblem(error, queryTimeoutMs) ?? (error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The versions recorded in `schema_migrations`, creating the schema and that table when missing
 * (under the caller's lock: CREATE ... IF NOT EXISTS is not safe against a concurrent one, and
 * checks the privilege to create before it checks existence, so a role that owns a schema made
 * for it, without CREATE on the database, could not even start). Refuses another tool's table.
 */
async function recordedMigrations(client: pg.ClientBase, schema: string, ms: number): Promise<Set<number>> {
  const s = ident(schema);
  const found = await client.query(bounded('SELECT 1 FROM pg_namespace WHERE nspname = $1', ms, [schema]));
  if (!found.rowCount) await client.query(bounded(`CREATE SCHEMA ${s}`, ms));
  const table = await client.query<{ t: string | null }>(
    bounded('SELECT to_regclass($1)::text AS t', ms, [`${s}.schema_migrations`]),
  );
  if (table.rows[0]?.t == null) {
    await client.query(
      bounded(
        `CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`,
        ms,
      ),
    );
  } else {
    const columns = await client.query<{ name: string }>(
      bounded(
        'SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
        ms,
        [`${s}.schema_migrations`],
      ),
    );
    refuseForeignMigrations(
      `PostgreSQL schema '${schema}'`,
      columns.rows.map((row) => row.name),
      'schema',
    );
  }
  const rows = await client.query<{ version: number }>(
    bounded(`SELECT version FROM ${s}.schema_migrations`, ms),
  );
  return new Set(rows.rows.map((row) => row.version));
}

/**
 * The migration's connection: its session starts without a `statement_timeout` or `lock_timeout`,
 * whatever the role, the database or the URL's `options` set. Set by a statement, as
 * `withMigrationLock` does for its transaction, they would still bound the statements before it:
 * a server's 10 ms `statement_timeout` failed the start of a node on a loaded host (PostgreSQL
 * also reports a timer that fired as the statement setting it ran as "canceling statement due to
 * user request"). The startup packet's own settings are applied after its `options`, and a
 * client's settings outrank the role's and the database's. A pooler that refuses such parameters
 * (PgBouncer) gets a plain client instead.
 */
export class MigrationClient extends pg.Client {
  getStartupConf(): Record<string, string> {
    const base = (pg.Client.prototype as unknown as { getStartupConf(): Record<string, string> })
      .getStartupConf;
    return { ...base.call(this), statement_timeout: '0', lock_timeout: '0' };
  }
}

/**
 * Whether a connect failed because the server refused the startup parameters of a
 * {@link MigrationClient}: PgBouncer answers `unsupported startup parameter` (SQLSTATE 08P01) for
 * any it does not know.
 */
function refusedStartupSettings(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause as { code?: unknown; message?: unknown } | undefined;
  return cause?.code === '08P01' && String(cause.message).includes('startup parameter');
}

/**
 * Opens a plain client on `url` (not pipelined: migration files hold several statements), runs
 * {@link migrate} for `schema` and closes it. Throws `STORE_UNAVAILABLE` (password redacted) if the
 * server cannot be reached or a migration fails, and a ValidationError naming the URL as `place`
 * says if the driver cannot read it. `lockWaitMs` bounds the wait for another session's migration
 * lock, `queryTimeoutMs` the connect (at most 10 s) and each statement but the migrations' own
 * (see {@link migrate}).
 */
export async function migrateAt(
  url: string,
  schema: string,
  place: UrlPlace,
  lockWaitMs: number = DEFAULT_MIGRATION_LOCK_TIMEOUT_MS,
  queryTimeoutMs = 0,
): Promise<number[]> {
  const make = (Client: typeof pg.Client) => {
    try {
      return new Client(clientConfig(url, `orchestrator-migrate:${schema}`, connectTimeout(queryTimeoutMs)));
    } catch (error) {
      // The driver reads the URL here (a malformed %-escape, an ssl file it cannot read, ...).
      throw new ValidationError(
        [
          {
            path: place.path,
            // The driver's message may repeat a part of the URL (an ssl file's path): cut too.
            message: `Cannot use the PostgreSQL URL ${shownUrl(url)}: ${cutText((error as Error).message)}`,
          },
        ],
        place.heading,
      );
    }
  };
  let client = make(MigrationClient);
  try {
    await connectClient(client, url, schema);
  } catch (error) {
    if (!refusedStartupSettings(error)) throw error;
    // A pooler (PgBouncer) refuses startup parameters it does not know: this session keeps the
    // server's timeouts, which the migration's transaction lifts for itself (`withMigrationLock`).
    client = make(pg.Client);
    await connectClient(client, url, schema);
  }
  try {
    return await migrate(client, schema, loadMigrations(), lockWaitMs, queryTimeoutMs);
  } finally {
    // Within 2 s: a server gone silent never answers the goodbye.
    await endClient(client);
  }
}
