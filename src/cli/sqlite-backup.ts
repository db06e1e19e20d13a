/**
 * A consistent copy of a SQLite store file, taken while the store runs: `VACUUM INTO` on a
 * read-only connection of its own writes one snapshot of the database (one read transaction, so
 * writers in other processes go on meanwhile, and commits after its start are not in the copy),
 * compacted, to a new file. Copying the file itself is not a backup: the commits still in its
 * `-wal` file are not in it, and a copy taken during a checkpoint is torn.
 * @module
 */
import { rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CliError } from './errors.js';

/** What a backup holds. */
export interface BackupFacts {
  executions: number;
  bytes: number;
}

/**
 * Writes the snapshot of the store file `source` to the new file `target` (which must not exist),
 * then opens the copy and checks it (`quick_check`, and its executions counted).
 * @throws CliError naming the store when it cannot be read; naming the target when it cannot be
 *   written (a missing folder, a full disk) or the copy fails its check (a partial copy is removed).
 */
export function backUpSqlite(source: string, target: string): BackupFacts {
  const db = openSource(source);
  try {
    try {
      db.prepare('VACUUM INTO ?').run(target);
    } finally {
      db.close();
    }
    const copy = new Database(target, { readonly: true, fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
      const executions = copy.prepare('SELECT count(*) FROM executions').pluck().get() as number;
      return { executions, bytes: statSync(target).size };
    } finally {
      copy.close();
    }
  } catch (error) {
    removePartial(target);
    throw new CliError(`cannot back up the store to '${target}': ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The store file `source`, opened read-only and read once: a store that cannot be read (on a
 * read-only mount without its `-shm` file, say) is named as the problem, not the backup's target.
 * @throws CliError naming the store.
 */
function openSource(source: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
    // Another process's write lock does not stop a reader in WAL mode; a checkpoint may, briefly.
    db.pragma('busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    return db;
  } catch (error) {
    db?.close();
    const code = (error as { code?: unknown }).code;
    throw new CliError(
      `cannot back up the store: cannot open SQLite store '${source}': ${(error as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`,
      { cause: error },
    );
  }
}

/** Removes what a failed backup may have left at `target`; a target it could not write is no error. */
function removePartial(target: string): void {
  try {
    rmSync(target, { force: true });
  } catch {
    // ENOTDIR and the like: nothing was written there.
  }
}
