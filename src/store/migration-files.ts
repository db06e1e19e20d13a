/**
 * The numbered migration files of a SQL store (`001_init.sql`, `002_….sql`, ...): read from the
 * store's `migrations/` folder and ordered by number. Both durable stores read theirs this way,
 * from disk once per process: each later open of a store gets the same files from memory.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OrchestratorError } from '../errors.js';

/** One migration file. */
export interface Migration {
  version: number;
  /** File name, e.g. `001_init.sql`. */
  name: string;
  sql: string;
}

const FILE = /^(\d+)_[\w-]+\.sql$/;

/** The migrations read so far, by folder URL: a release's files do not change while it runs. */
const read = new Map<string, readonly Readonly<Migration>[]>();

/**
 * The migration files of `dir`, ordered by number; other files are ignored. The folder is read on
 * the first call only; each call gets a list of its own (the migrations in it are frozen). Two
 * files with one number are a broken release: a `STORE_UNAVAILABLE` error naming `storeName` and
 * both files. So is a folder that is missing or holds none (a build or bundle that left them
 * behind). A folder refused is read again by the next call.
 */
export function readMigrations(dir: URL, storeName: string): Migration[] {
  let migrations = read.get(dir.href);
  if (migrations === undefined) {
    migrations = readFolder(dir, storeName).map((migration) => Object.freeze(migration));
    read.set(dir.href, migrations);
  }
  return [...migrations];
}

/** Reads and checks the migration files of `dir` (see {@link readMigrations}). */
function readFolder(dir: URL, storeName: string): Migration[] {
  const migrations: Migration[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const name of names) {
    const match = FILE.exec(name);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name, sql: readFileSync(new URL(name, dir), 'utf8') });
  }
  if (migrations.length === 0) {
    // Not an empty store's schema: with none known, every store would look migrated by a newer release.
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      `The ${storeName} migration files are missing from ${fileURLToPath(dir)}: this installation is incomplete (a build copies them next to the compiled code: npm run build)`,
    );
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new OrchestratorError(
        'STORE_UNAVAILABLE',
        `Two ${storeName} migrations share version ${migrations[i]!.version}: ${migrations[i - 1]!.name}, ${migrations[i]!.name}`,
      );
    }
  }
  return migrations;
}

/**
 * `CREATE [UNIQUE] TABLE|INDEX [CONCURRENTLY] name` without `IF NOT EXISTS`: a name the statement
 * must have free.
 */
const CREATES =
  /\bCREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX)\s+(?!(?:CONCURRENTLY\s+)?IF\s+NOT\s+EXISTS\b)(?:CONCURRENTLY\s+)?"?(\w+)"?/gi;

/** SQL comments (`-- …` to the end of the line, `/* … *\/`): words in them create nothing. */
const COMMENTS = /--[^\n]*|\/\*[\s\S]*?\*\//g;

/**
 * The tables and indexes a migration's `sql` creates that must not exist yet, as `[kind, name]`
 * (`kind` in lower case, `name` as written), so that a store can name those another application
 * already has instead of failing with its database's bare "already exists".
 */
export function createdNames(sql: string): Array<[kind: string, name: string]> {
  return [...sql.replace(COMMENTS, ' ').matchAll(CREATES)].map((m) => [
    (m[1] as string).toLowerCase(),
    m[2] as string,
  ]);
}
