/**
 * Schema migrations of the SQLite store: numbered plain SQL files (`migrations/001_init.sql`,
 * `002_….sql`, ...) applied in order and recorded in `schema_migrations`.
 *
 * All pending migrations run in one `BEGIN IMMEDIATE` transaction, which takes the write lock
 * first: when several processes open the same file at once, one applies them and the others wait
 * (busy timeout), then find them recorded and apply nothing.
 * @module
 */
import type Database from 'better-sqlite3';
import { OrchestratorError } from '../../errors.js';
import { type Migration, readMigrations } from '../migration-files.js';
import { refuseForeignMigrations, refuseNewerSchema } from '../schema-version.js';
import { sqliteHint } from './errors.js';
import { refuseTakenNames } from './taken-names.js';

/** Where the migration files live: next to this module (copied to `dist/` by the build). */
export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Reads the migration files of `dir`, ordered by number. */
export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  return readMigrations(dir, 'SQLite');
}

/**
 * Refuses a file whose `schema_migrations` table is another tool's, or records a version newer
 * than `migrations` know; returns the versions recorded (null: no such table yet). Reads only, so
 * a file refused is left as it was: the store runs it before anything that writes to the file
 * (switching it to WAL).
 */
export function recordedVersions(
  db: Database.Database,
  migrations: Migration[] = loadMigrations(),
): Set<number> | null {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!hasTable) return null;
  const columns = db.prepare("SELECT name FROM pragma_table_info('schema_migrations')").pluck().all();
  refuseForeignMigrations(`SQLite database '${db.name}'`, columns as string[], 'file');
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]).map(Number),
  );
  refuseNewerSchema(`SQLite database '${db.name}'`, done, migrations);
  return done;
}

/**
 * Applies the migrations that `schema_migrations` does not record yet, in one write transaction.
 * Returns the versions applied by this call (empty when the schema was up to date). `recorded`:
 * what {@link recordedVersions} read, when the caller read it already.
 */
export function migrate(
  db: Database.Database,
  migrations: Migration[] = loadMigrations(),
  now = Date.now(),
  recorded: Set<number> | null = recordedVersions(db, migrations),
): number[] {
  const applied: number[] = [];
  let current = '';
  // Up to date: a plain read, no write lock (read-only commands, read-only files, a busy writer).
  if (recorded && migrations.every((m) => recorded.has(m.version))) return applied;
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]).map(Number),
    );
    refuseNewerSchema(`SQLite database '${db.name}'`, done, migrations);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      current = ` (${migration.name})`;
      refuseTakenNames(db, migration.sql, migration.name);
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now);
      applied.push(migration.version);
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    // Refusals of the store (newer, or another tool's) pass through as they are.
    if (error instanceof OrchestratorError) throw error;
    // Names the file and the migration, with the hint for the SQLite code (a read-only file, a
    // write lock held past the busy timeout, ...); nothing of it was applied.
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      `Cannot migrate SQLite store '${db.name}'${current}: ${(error as Error).message}${sqliteHint(error)}`,
      { cause: error },
    );
  }
  return applied;
}
