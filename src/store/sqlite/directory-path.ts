/**
 * Whether a SQLite path names a directory by its form: it ends in a separator (`data/`) or its
 * last segment is `.` or `..`. Resolving such a path drops the sign (`resolve('data/')` is
 * `…/data`), and SQLite would then make a database file where a folder was meant.
 * @module
 */
import { sep } from 'node:path';

const DIRECTORY_FORM = sep === '/' ? /(^|\/)\.{1,2}$|\/$/ : /(^|[/\\])\.{1,2}$|[/\\]$/;

/** True when `path` ends in a separator, `.` or `..` (see the module comment). */
export function endsInDirectory(path: string): boolean {
  return DIRECTORY_FORM.test(path);
}

/** `path` with a file name to suggest in its place: `data/` → `data/orchestrator.sqlite`. */
export function fileInDirectory(path: string): string {
  return /[/\\]$/.test(path) ? `${path}orchestrator.sqlite` : `${path}${sep}orchestrator.sqlite`;
}
