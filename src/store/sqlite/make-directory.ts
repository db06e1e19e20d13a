/**
 * The folder of a new SQLite file, made durable: a new folder's entry lives in its parent, and
 * until that parent is fsynced a crash can lose the folder, and the database in it, though the
 * database's own commits were synced.
 * @module
 */
import { closeSync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * What a system says when it cannot open or fsync a folder (Windows, some network and FUSE
 * filesystems) or may not read it (a parent that can be passed through, not listed): nothing to
 * sync there.
 */
const CANNOT_SYNC_FOLDER = new Set(['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF', 'EACCES']);

/** fsyncs the folder `dir`, unless the system cannot (see {@link CANNOT_SYNC_FOLDER}). */
function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (error) {
    if (CANNOT_SYNC_FOLDER.has((error as NodeJS.ErrnoException).code ?? '')) return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!CANNOT_SYNC_FOLDER.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * The folders from the outermost missing one above `dir` down to `dir` itself, to be made in that
 * order: none when `dir` exists.
 */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let at = dir; !statSync(at, { throwIfNoEntry: false }); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  return missing;
}

/**
 * Makes `dir` and any missing folder above it, one at a time, then fsyncs the parent of each folder
 * it made, outermost first. Nothing is synced when `dir` already exists. (Node 20's recursive
 * `mkdirSync` never returns when making a folder fails with ENOENT though its parent exists, as
 * under `/proc`; made one by one, that ENOENT is thrown.)
 * @throws the error of `mkdir`, or of an fsync that failed for another reason than the system
 *   being unable to sync folders (EIO).
 */
export function makeDirectory(dir: string): void {
  const made: string[] = [];
  for (const folder of missingFolders(resolve(dir))) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // Made meanwhile by another process: not this one's to sync.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    made.push(folder);
  }
  for (const folder of made) syncFolder(dirname(folder));
}
