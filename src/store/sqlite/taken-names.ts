/**
 * A migration of the SQLite store creates tables and indexes by name; a file that already holds
 * one of those names (another application's `executions` table, say) would fail it with SQLite's
 * bare "table executions already exists". This names the file and every taken name instead.
 * @module
 */
import type Database from 'better-sqlite3';
import { echo } from '../../echo.js';
import { OrchestratorError } from '../../errors.js';
import { createdNames } from '../migration-files.js';

/**
 * Throws `STORE_UNAVAILABLE` when `db` already holds a table, index or view of a name `sql` (a
 * migration not recorded yet) creates: it belongs to something else. Names every one taken, and
 * what it is.
 */
export function refuseTakenNames(db: Database.Database, sql: string, migration: string): void {
  // Tables, indexes and views share one namespace, whatever the case of the letters.
  const exists = db
    .prepare("SELECT type, name FROM sqlite_master WHERE type != 'trigger' AND name = ? COLLATE NOCASE")
    .raw();
  const taken = createdNames(sql).flatMap(([, name]) => {
    const row = exists.get(name) as [string, string] | undefined;
    return row === undefined ? [] : [`${row[0]} ${echo(row[1])}`];
  });
  if (taken.length === 0) return;
  throw new OrchestratorError(
    'STORE_UNAVAILABLE',
    `Cannot migrate SQLite store '${db.name}' (${migration}): the file already has ${taken.join(', ')}, ` +
      `${taken.length === 1 ? 'a name' : 'names'} the store creates, of something else (no store migration ` +
      'records them). Point this Orchestrator at a file of its own.',
  );
}

/**
 * {@link refuseTakenNames} for each of `migrations` that `recorded` (see `recordedVersions`) does
 * not record: read only, so that the store's opening refuses such a file before it writes to it.
 * Read `recorded` in the same read transaction: else a name another process's migration created
 * since would look like something else's.
 */
export function refuseTakenNamesOfPending(
  db: Database.Database,
  migrations: readonly { version: number; name: string; sql: string }[],
  recorded: ReadonlySet<number> | null,
): void {
  for (const m of migrations) if (!recorded?.has(m.version)) refuseTakenNames(db, m.sql, m.name);
}
