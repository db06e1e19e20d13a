/**
 * What the SQLite store checks of its file before SQLite opens it: a path that is a directory, or
 * something other than a regular file (a FIFO, a socket, a device), is refused naming what it is.
 * SQLite would only say 'unable to open database file' or 'disk I/O error', as if the disk were
 * failing, and on a device such as /dev/null it would first make a `-journal` file beside it.
 * @module
 */
import { type Stats, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OrchestratorError } from '../../errors.js';

/** What a file that is not a regular one is, for the message. */
function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** The outermost folder of `path` that exists and is no folder (`path`'s parent when none is found). */
function fileAmongFolders(path: string): string {
  let found = dirname(path);
  for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
    let stats: Stats | undefined;
    try {
      stats = statSync(folder, { throwIfNoEntry: false });
    } catch {
      // Under the file sought (ENOTDIR), or unreadable: not it.
    }
    if (stats && !stats.isDirectory()) found = folder;
  }
  return found;
}

/**
 * Throws `STORE_UNAVAILABLE` naming `path` when it exists and is not a regular file (a symbolic
 * link counts as what it points to), or when one of its folders is a file; a path that does not
 * exist yet passes.
 */
export function checkStorePath(path: string): void {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOTDIR') throw error;
    // A folder of the path is a file: Node.js says only 'ENOTDIR: not a directory, stat <path>'.
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      `Cannot open SQLite store '${path}': its folder '${fileAmongFolders(path)}' is a file, not a folder; name a database file in a folder`,
      { cause: error },
    );
  }
  if (!stats || stats.isFile()) return;
  if (stats.isDirectory()) {
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      `Cannot open SQLite store '${path}': it is a directory; name a database file, e.g. '${join(path, 'orchestrator.sqlite')}'`,
    );
  }
  throw new OrchestratorError(
    'STORE_UNAVAILABLE',
    `Cannot open SQLite store '${path}': it is ${kindOf(stats)}, not a regular file; name a database file`,
  );
}
