/**
 * How SQLite's own errors reach callers: as `OrchestratorError`s with code `STORE_UNAVAILABLE`
 * that name the file and, for the usual causes, what to look at (the driver's `SqliteError`, with
 * its bare "database is locked", is kept as `cause`).
 * @module
 */
import { OrchestratorError } from '../../errors.js';

/** What commonly causes each family of SQLite result codes, for the message. */
const HINTS: readonly [prefix: string, hint: string][] = [
  ['SQLITE_BUSY', 'another process held the write lock on the file past the 5 s busy timeout'],
  ['SQLITE_LOCKED', 'another connection of this process holds a conflicting lock'],
  [
    'SQLITE_READONLY',
    'this process cannot write to the file or to its directory (SQLite writes -wal and -shm files there)',
  ],
  ['SQLITE_CANTOPEN', 'the file or its directory cannot be opened'],
  ['SQLITE_FULL', 'the disk is full'],
  ['SQLITE_CORRUPT', 'the file is damaged'],
  ['SQLITE_NOTADB', 'the file is not an SQLite database'],
  ['SQLITE_IOERR', 'reading or writing the file failed'],
];

/** The hint for an error's SQLite result code (`SQLITE_BUSY_SNAPSHOT` is a `SQLITE_BUSY`), or ''. */
export function sqliteHint(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return '';
  const found = HINTS.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
  return found ? ` (${code}: ${found[1]})` : '';
}

/**
 * `error` as a `STORE_UNAVAILABLE` error naming the store file `path` (`OrchestratorError`s, which
 * the store raises itself, pass through).
 */
export function sqliteStoreError(error: unknown, path: string, context = 'SQLite store'): OrchestratorError {
  if (error instanceof OrchestratorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const native = nativeModuleProblem(message);
  return new OrchestratorError(
    'STORE_UNAVAILABLE',
    `${context} '${path}': ${native ?? `${message}${sqliteHint(error)}`}`,
    { cause: error },
  );
}

/**
 * What to do when the driver's native module cannot be loaded (its message, kept as `cause`,
 * lists every path it tried), or null for any other error: never built, because its install
 * script did not run (`npm install --ignore-scripts`, or npm 11 and later, which run a
 * dependency's install script only once the project approves it); or built for another Node.js.
 */
export function nativeModuleProblem(message: string): string | null {
  if (message.startsWith('Could not locate the bindings file')) {
    return (
      "better-sqlite3's native module is not built (its install script did not run): run `npm rebuild better-sqlite3` " +
      '(npm 11 and later run it only once the project approves it: `npm install-scripts approve better-sqlite3`)'
    );
  }
  if (message.includes('NODE_MODULE_VERSION')) {
    return `better-sqlite3's native module was built for another Node.js version (now ${process.version}): run \`npm rebuild better-sqlite3\``;
  }
  return null;
}
