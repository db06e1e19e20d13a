/**
 * Whether a SQLite file holds an orchestrator store yet, so that the read-only commands
 * (`status`, `list`, `cancel`, `metrics`, `workers`) refuse a database of another application, or
 * an empty file, as they refuse a missing file and a PostgreSQL schema without a store, instead
 * of writing the store's tables into it (and switching it to WAL) to show nothing.
 * @module
 */
import Database from 'better-sqlite3';
import { echo } from '../echo.js';
import { createdNames } from '../store/migration-files.js';
import { loadMigrations } from '../store/sqlite/migrate.js';
import { CliError } from './errors.js';

/** What a SQLite file holds: an orchestrator store, or only these other tables. */
export type SqliteContents = { store: true } | { store: false; tables: string[] };

/**
 * Reads the table names of `file`, opened read-only (nothing of it is written). A store is a
 * file with a `schema_migrations` table (whose columns and versions the store's opening checks).
 * Null if the file cannot be read as a database (not one, locked, unreadable): the store's own
 * opening then reports why.
 */
export function sqliteContents(file: string): SqliteContents | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    return tables.includes('schema_migrations') ? { store: true } : { store: false, tables };
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/**
 * The refusal of `file` (store URL `url`) when it is a database that holds no store: empty, or
 * another application's (naming up to ten of its tables); null for a store, or a file the store's
 * own opening should report on.
 */
export function notAStoreError(url: string, file: string): CliError | null {
  const contents = sqliteContents(file);
  if (contents === null || contents.store) return null;
  const { tables } = contents;
  const named =
    tables
      .slice(0, 10)
      .map((t) => echo(t))
      .join(', ') + (tables.length > 10 ? ', ...' : '');
  const holds = tables.length === 0 ? 'no table' : `only tables of something else: ${named}`;
  // `migrate` refuses a file holding a name the store creates: suggesting it would send the user
  // to a second refusal.
  const ours = new Set(
    loadMigrations().flatMap((m) => createdNames(m.sql).map(([, name]) => name.toLowerCase())),
  );
  const clash = tables.filter((t) => ours.has(t.toLowerCase()));
  const advice =
    clash.length === 0
      ? ', or run `orchestrator migrate` to add a store to this one'
      : ` (${clash.map((t) => echo(t)).join(', ')} ${clash.length === 1 ? 'is a name' : 'are names'} the store's own tables need, so \`orchestrator migrate\` cannot add one to this file)`;
  return new CliError(
    `store '${url}' holds no orchestrator store (file ${file} has ${holds}); point the store URL at the orchestrator's file${advice}`,
    { code: 'STORE_NOT_FOUND' },
  );
}
