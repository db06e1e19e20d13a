/**
 * The check that keeps an older Orchestrator off a store a newer one has migrated: its code would
 * read and write tables whose shape it does not know (columns it leaves empty, constraints it
 * does not expect), so it refuses to open the store instead of corrupting it.
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
