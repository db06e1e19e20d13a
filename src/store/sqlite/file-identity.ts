/**
 * Whether a SQLite file is still the one a path names. SQLite goes on writing to the file it
 * opened after that file is deleted, moved away or replaced (another file renamed onto the path):
 * every write it then acknowledges is lost on the next start, which opens whatever the path names
 * by then. The store checks the file's identity (device and inode) before each commit and refuses
 * the writes instead. One `stat` per group commit: nothing next to its fsync.
 * @module
 */
import { statSync } from 'node:fs';
import { OrchestratorError } from '../../errors.js';

/** The device and inode of a file. */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

/** The identity of the file `path` names now, or null if it names none. */
export function fileIdentity(path: string): FileIdentity | null {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats ? { dev: stats.dev, ino: stats.ino } : null;
}

/**
 * Throws `STORE_UNAVAILABLE` naming `path` when it no longer names the file `opened` identifies
 * (deleted or moved away, or replaced by another file).
 */
export function checkSameFile(path: string, opened: FileIdentity): void {
  const now = fileIdentity(path);
  if (now && now.dev === opened.dev && now.ino === opened.ino) return;
  const what = now ? 'replaced by another' : 'deleted';
  throw new OrchestratorError(
    'STORE_UNAVAILABLE',
    `SQLite store '${path}': the file was ${what} after the store opened it, so what it writes would be lost on the next start; restart to open the file now at that path`,
  );
}
