/**
 * Whether the files of a SQLite store are still the ones its path names. SQLite goes on writing
 * to the files it opened after they are deleted, moved away or replaced (another file renamed
 * onto the path): the database file, or its write-ahead log (`-wal`, which a clean-up of files
 * that look temporary may delete). Every write it then acknowledges is lost on the next start,
 * which opens whatever the paths name by then. The store checks the files' identity (device and
 * inode) before a commit and refuses the writes instead. The two `stat`s cost ≈3–10 µs, a large
 * part of a commit under `NORMAL` and of the 4 commits of a workflow run alone: a commit checks
 * when the last check is {@link IDENTITY_CHECK_INTERVAL_MS} old, so the commits of at most that
 * last second go to a file that is gone (with all the history before them). While a connection
 * has the file open, SQLite itself never deletes nor recreates the log (it truncates it in place).
 * @module
 */
import { realpathSync, statSync } from 'node:fs';
import { OrchestratorError } from '../../errors.js';

/** A file of the store as opened: its path, device and inode. */
export interface OpenedFile {
  path: string;
  /** Whether it is the write-ahead log (else the database file). */
  wal: boolean;
  dev: bigint;
  ino: bigint;
}

/** The device and inode of the file `path` names now, or null if it names none. */
function identity(path: string): { dev: bigint; ino: bigint } | null {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats ? { dev: stats.dev, ino: stats.ino } : null;
}

/**
 * The files of the store at `path` as they are now: the database file and its log, if present.
 * SQLite follows a symbolic link and keeps the log next to the file it points to, not next to the
 * link: the log is looked for there. The database file is checked at `path`, the link followed, so
 * a link pointed at another file later counts as the file replaced.
 */
export function openedFiles(path: string): OpenedFile[] {
  const files: OpenedFile[] = [];
  const real = realpathSync(path);
  for (const [file, wal] of [
    [path, false],
    [`${real}-wal`, true],
  ] as const) {
    const found = identity(file);
    if (found) files.push({ path: file, wal, ...found });
  }
  return files;
}

/**
 * Throws `STORE_UNAVAILABLE` naming the store `path` and the file when one of `files` is no longer
 * the file its path names (deleted or moved away, or replaced by another).
 */
export function checkSameFiles(path: string, files: readonly OpenedFile[]): void {
  for (const file of files) {
    const now = identity(file.path);
    if (now && now.dev === file.dev && now.ino === file.ino) continue;
    const which = file.wal ? `its write-ahead log '${file.path}'` : 'the file';
    const what = now ? 'replaced by another' : 'deleted';
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      `SQLite store '${path}': ${which} was ${what} after the store opened it, so what it writes would be lost on the next start; restart to open the file now at that path`,
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
}
