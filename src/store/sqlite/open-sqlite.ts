/**
 * The SQLite store a `sqlite:<path>` target names (see `openStore`).
 * @module
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ValidationError } from '../../errors.js';
import { unstorableText } from '../../storable-text.js';
import { invalidStore } from '../store-kind.js';
import { endsInDirectory, fileInDirectory } from './directory-path.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * The {@link SqliteStore} of `target`, a `sqlite:<path>` string (not initialised yet): a relative
 * path is relative to the working directory; `sqlite::memory:` is an in-memory database.
 * @throws ValidationError naming `store` for an empty path, one with U+0000 or a lone surrogate, one that begins or
 *   ends in whitespace (`sqlite:./x.db ` would name a file ending in a space), `sqlite://name/…`,
 *   `sqlite:~/…` (a `~` no shell expanded), `sqlite://` alone, parameters (`x.db?mode=ro`), or one
 *   that ends in a directory (`data/`, `.`, `..`).
 */
export function openSqlite(target: string): SqliteStore {
  const path = target.slice('sqlite:'.length);
  if (path === '') throw invalidStore(target);
  // U+0000 ends a C path; a lone surrogate has no file name: better-sqlite3 made a file of its
  // replacement bytes, which the store's file check then found missing (STORE_UNAVAILABLE).
  const unstorable = unstorableText(path);
  if (unstorable !== null) {
    throw new ValidationError(
      [{ path: 'store', message: `Expected a SQLite file path, got one that ${unstorable}` }],
      'Invalid config',
    );
  }
  const space = /^\s|\s$/.exec(path);
  if (space) {
    // `sqlite:./x.db ` (a space left in an environment file): the name would keep it.
    const code = `U+${(space[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    const trimmed = path.trim();
    throw new ValidationError(
      [
        {
          path: 'store',
          message: `Expected "sqlite:<path>", got ${JSON.stringify(target)}, whose path ${space.index === 0 ? 'begins with' : 'ends in'} whitespace (${code} at index ${'sqlite:'.length + space.index}): a file or folder would be named with it; remove it${trimmed ? `, "sqlite:${trimmed}"` : ''}`,
        },
      ],
      'Invalid config',
    );
  }
  if (/^\/+$/.test(path) && path.length > 1) {
    // `sqlite://` (a URL scheme with nothing after it): no file, and the root folder besides.
    throw new ValidationError(
      [
        {
          path: 'store',
          message: `Expected "sqlite:<path>" to name a database file, got ${JSON.stringify(target)}, which names none: write "sqlite:<path>", e.g. "sqlite:./data/orchestrator.sqlite"`,
        },
      ],
      'Invalid config',
    );
  }
  if (/^\/\/[^/]/.test(path)) {
    // URL-style `sqlite://data/x.db`: usually meant relative, it would name /data/x.db. What it
    // suggests names a file (`sqlite://data/` suggests `sqlite:data/orchestrator.sqlite`).
    const rest = endsInDirectory(path.slice(2)) ? fileInDirectory(path.slice(2)) : path.slice(2);
    throw new ValidationError(
      [
        {
          path: 'store',
          message: `Expected "sqlite:<path>", got ${JSON.stringify(target)}, whose path //${path.slice(2).split('/')[0]}/… reads as the absolute /${path.slice(2)}: write "sqlite:${rest}" for a path relative to the working directory, or "sqlite:/${rest}" for the absolute one`,
        },
      ],
      'Invalid config',
    );
  }
  const query = /\?[A-Za-z_]\w*=/.exec(path);
  if (query) {
    // `sqlite:x.db?mode=ro`, as SQLite's own URIs take options: the store takes none, and the
    // file would be named with it (an empty new store where the data was meant to be read).
    const file = path.slice(0, query.index);
    throw new ValidationError(
      [
        {
          path: 'store',
          message: `Expected "sqlite:<path>", got ${JSON.stringify(target)}, whose path has parameters (${path.slice(query.index)}): a SQLite store URL takes none, and a file would be named with them; write "sqlite:${file}"`,
        },
      ],
      'Invalid config',
    );
  }
  if (/^~(\/|$)/.test(path)) {
    // `--store sqlite:~/x.db`: no shell expands ~ there (nor does an environment file), and the
    // store would live in a folder named '~' of whatever directory it was started from.
    const rest = path.slice(2);
    throw new ValidationError(
      [
        {
          path: 'store',
          message: `Expected "sqlite:<path>", got ${JSON.stringify(target)}, whose ~ is not expanded (no shell does after "sqlite:", nor in an environment file): it would name a folder '~' in the working directory; write the home directory out, "sqlite:${join(homedir(), rest)}", or "sqlite:./${path}" for that folder`,
        },
      ],
      'Invalid config',
    );
  }
  if (endsInDirectory(path)) {
    // Resolving would drop the trailing slash, and SQLite make a file where a folder was meant.
    throw new ValidationError(
      [
        {
          path: 'store',
          message: `Expected "sqlite:<path>" to name a database file, got ${JSON.stringify(target)}, whose path ends in a directory: name a file in it, e.g. "sqlite:${fileInDirectory(path)}"`,
        },
      ],
      'Invalid config',
    );
  }
  return new SqliteStore(path === ':memory:' ? path : resolve(process.cwd(), path));
}
