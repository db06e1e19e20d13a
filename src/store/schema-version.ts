/**
 * The checks that keep an Orchestrator off a store it cannot trust: one a newer release has
 * migrated (its code would read and write tables whose shape it does not know: columns it leaves
 * empty, constraints it does not expect), and a file or schema whose `schema_migrations` table is
 * another tool's (Rails, golang-migrate, Ecto, dbmate... use that name too), whose versions are no
 * Orchestrator migrations. It refuses to open either instead of corrupting it.
 * @module
 */
import { OrchestratorError } from '../errors.js';

/** A store whose schema was migrated by a newer Orchestrator than this one. */
export class SchemaTooNewError extends OrchestratorError {
  /** The newest migration version the store records. */
  readonly storedVersion: number;
  /** The newest migration version this release ships. */
  readonly knownVersion: number;
  /** @param where What was opened, e.g. `SQLite database` or `PostgreSQL schema 'orders'`. */
  constructor(where: string, storedVersion: number, knownVersion: number) {
    super(
      'STORE_UNAVAILABLE',
      `The ${where} has schema version ${storedVersion}, newer than this Orchestrator knows ` +
        `(${knownVersion}): it was migrated by a newer release. Run that release (or newer) on it, ` +
        'or point this one at another store.',
    );
    this.storedVersion = storedVersion;
    this.knownVersion = knownVersion;
  }
}

/**
 * Throws {@link SchemaTooNewError} when `recorded` (the versions in `schema_migrations`) holds a
 * version above every one of `known` (the migrations this build ships).
 */
export function refuseNewerSchema(
  where: string,
  recorded: ReadonlySet<number>,
  known: readonly { version: number }[],
): void {
  let newestKnown = 0;
  for (const migration of known) newestKnown = Math.max(newestKnown, migration.version);
  let newestRecorded = 0;
  for (const version of recorded) newestRecorded = Math.max(newestRecorded, version);
  if (newestRecorded > newestKnown) throw new SchemaTooNewError(where, newestRecorded, newestKnown);
}

/** The columns of the Orchestrator's own `schema_migrations` table. */
const OWN_COLUMNS = ['version', 'name', 'applied_at'];

/**
 * Throws `STORE_UNAVAILABLE` when `columns` (those of the store's `schema_migrations` table) are
 * not the Orchestrator's: the table, and so the file or schema, belongs to something else.
 * @param where What was opened, e.g. `SQLite database '/data/app.db'` or `PostgreSQL schema 'public'`.
 * @param place What to point the store at instead, e.g. `file` or `schema`.
 */
export function refuseForeignMigrations(where: string, columns: readonly string[], place: string): void {
  if (OWN_COLUMNS.every((column) => columns.includes(column))) return;
  throw new OrchestratorError(
    'STORE_UNAVAILABLE',
    `The ${where} holds a schema_migrations table that is not an Orchestrator store's ` +
      `(columns ${columns.join(', ')}): it belongs to something else, e.g. another tool's ` +
      `migrations. Point this Orchestrator at a ${place} of its own.`,
  );
}
