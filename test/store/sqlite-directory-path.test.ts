/**
 * A SQLite path that names a directory by its form — a trailing slash (`sqlite:./data/`), or a
 * last segment `.` or `..` — is refused as bad config, saying to name a file in it. It was
 * taken as a file: `sqlite:./data/` (the slash dropped when the path was resolved) made a
 * database file named `data` where a folder was meant, and the default store
 * (`./data/orchestrator.sqlite`) could no longer be opened beside it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function newDir(): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return dir;
}

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('SQLite path that names a directory', () => {
  it('sqlite:<dir>/ is refused naming the store, and makes no file', async () => {
    const dir = join(newDir(), 'data');
    const error = thrown(() => openStore(`sqlite:${dir}/`));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      `Invalid config: store: Expected "sqlite:<path>" to name a database file, got "sqlite:${dir}/", whose path ends in a directory: name a file in it, e.g. "sqlite:${dir}/orchestrator.sqlite"`,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it.each(['.', '..', 'data/.', 'data/..'])('sqlite:%s is refused the same way', (path) => {
    const error = thrown(() => openStore(`sqlite:${path}`));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(`got "sqlite:${path}", whose path ends in a directory`);
  });

  it('new SqliteStore(<dir>/) is refused naming the path, and makes no file', async () => {
    const dir = join(newDir(), 'other');
    const error = thrown(() => new SqliteStore(`${dir}/`));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      `Invalid SqliteStore arguments: path: Expected a database file path, got '${dir}/', which ends in a directory: name a file in it, e.g. '${dir}/orchestrator.sqlite'`,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('a file path, :memory: and a name merely starting or ending with dots are taken', () => {
    const dir = newDir();
    for (const path of [join(dir, 'x.sqlite'), ':memory:', join(dir, '..x'), join(dir, 'x..')]) {
      expect(() => new SqliteStore(path)).not.toThrow();
      expect(() => openStore(`sqlite:${path}`)).not.toThrow();
    }
  });
});
