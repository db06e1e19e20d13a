/**
 * Whether the files of a SQLite store are still the ones its path names. SQLite goes on writing
 * to the files it opened after they are deleted, moved away or replaced (another file renamed
 * onto the path): the database file, or its write-ahead log (`-wal`, which a clean-up of files
 * that look temporary may delete). Every write it then acknowledges is lost on the next start,
 * which opens whatever the paths name by then. Its shared-memory index (`-shm`) alone deleted or
 * replaced is as bad: SQLite goes on indexing its commits in the one it mapped, another process
 * opening the file makes a new one without them, does not see them, and appends its own commits
 * to the log over them (and a close of this store, checkpointing with its own index, loses
 * theirs). The store checks the files' identity (device and inode) before a commit and refuses
 * the writes instead. The three `stat`s cost ≈5–15 µs (measured ≈10 µs on a loaded 2-core
 * machine, where a lone commit under `NORMAL` takes ≈50 µs), a large part of a commit and of the 4
 * commits of a workflow run alone: a commit checks when the last check is
 * {@link IDENTITY_CHECK_INTERVAL_MS} old, so the commits of at most that last second go to a file
 * that is gone (with all the history before them). While a connection
 * has the file open, SQLite itself never deletes nor recreates the log (it truncates it in place)
 * nor the index (only the last connection to close deletes both).
 * @module
 */
import { realpathSync, statSync } from 'node:fs';
import { OrchestratorError } from '../../errors.js';

/** Which file of the store: the database file, its write-ahead log, its shared-memory index. */
export type StoreFileKind = 'database' | 'wal' | 'shm';

/** A file of the store as opened: its path, device and inode. */
export interface OpenedFile {
  path: string;
  kind: StoreFileKind;
  dev: bigint;
  ino: bigint;
}

/** The device and inode of the file `path` names now, or null if it names none. */
function identity(path: string): { dev: bigint; ino: bigint } | null {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats ? { dev: stats.dev, ino: stats.ino } : null;
}

/**
 * The files of the store at `path` as they are now: the database file, its log and its index, if
 * present. SQLite follows a symbolic link and keeps the log and index next to the file it points
 * to, not next to the link: they are looked for there. The database file is checked at `path`, the link followed, so
 * a link pointed at another file later counts as the file replaced.
 */
export function openedFiles(path: string): OpenedFile[] {
  const files: OpenedFile[] = [];
  const real = realpathSync(path);
  for (const [file, kind] of [
    [path, 'database'],
    [`${real}-wal`, 'wal'],
    [`${real}-shm`, 'shm'],
  ] as const) {
    const found = identity(file);
    if (found) files.push({ path: file, kind, ...found });
  }
  return files;
}

/** How a message names each file. */
const DESCRIBED: Record<StoreFileKind, (path: string) => string> = {
  database: () => 'the file',
  wal: (path) => `its write-ahead log '${path}'`,
  shm: (path) => `its shared-memory index '${path}'`,
};

/** What writing on would do, for the message. */
const CONSEQUENCE: Record<StoreFileKind, string> = {
  database: 'what it writes would be lost on the next start',
  wal: 'what it writes would be lost on the next start',
  shm: 'other processes on the file would not see what it writes and could write over it',
};

/**
 * Throws `STORE_UNAVAILABLE` naming the store `path` and the file when one of `files` is no longer
 * the file its path names (deleted or moved away, or replaced by another).
 */
export function checkSameFiles(path: string, files: readonly OpenedFile[]): void {
  for (const file of files) {
    const now = identity(file.path);
    if (now && now.dev === file.dev && now.ino === file.ino) continue;
    const what = now ? 'replaced by another' : 'deleted';
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      `SQLite store '${path}': ${DESCRIBED[file.kind](file.path)} was ${what} after the store opened it, so ${CONSEQUENCE[file.kind]}; restart to open the file now at that path`,
    );
  }
}

/** How old, at most, the last check of the files is when a commit goes ahead, ms. */
export const IDENTITY_CHECK_INTERVAL_MS = 1000;

/** The check {@link checkSameFiles} makes before commits, at most once per {@link IDENTITY_CHECK_INTERVAL_MS}. */
export class OpenedFilesCheck {
  /** `Date.now()` at the last check that passed. */
  private checkedAt = Number.NEGATIVE_INFINITY;
  constructor(
    private readonly path: string,
    private readonly files: readonly OpenedFile[],
  ) {}

  /** Throws as {@link checkSameFiles} does, unless a check passed less than the interval ago. */
  beforeCommit(): void {
    if (this.files.length === 0) return;
    const now = Date.now();
    // A clock set back checks at once.
    if (now >= this.checkedAt && now - this.checkedAt < IDENTITY_CHECK_INTERVAL_MS) return;
    checkSameFiles(this.path, this.files);
    this.checkedAt = now;
  }

  /** Throws as {@link checkSameFiles} does, checked now. */
  check(): void {
    checkSameFiles(this.path, this.files);
  }

  /** Whether every file is still the one its path names, checked now (for a last write at close). */
  unchanged(): boolean {
    try {
      this.check();
      return true;
    } catch {
      return false;
    }
  }
}
