/**
 * The folder of a new SQLite file, made durable: a new folder's entry lives in its parent, and
 * until that parent is fsynced a crash can lose the folder, and the database in it, though the
 * database's own commits were synced.
 * @module
 */
import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
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
 * Makes `dir` and any missing folder above it, then fsyncs the parent of each folder it made,
 * outermost first. Nothing is synced when `dir` already exists.
 * @throws the error of `mkdir`, or of an fsync that failed for another reason than the system
 *   being unable to sync folders (EIO).
 */
export function makeDirectory(dir: string): void {
  const target = resolve(dir);
  const first = mkdirSync(target, { recursive: true });
  if (first === undefined) return;
  const made: string[] = [];
  for (let at = target; ; at = dirname(at)) {
    made.unshift(at);
    if (at === first || dirname(at) === at) break;
  }
  for (const folder of made) syncFolder(dirname(folder));
}
