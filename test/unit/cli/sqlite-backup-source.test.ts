/**
 * A backup whose store cannot be read names the store, not the backup file: on a read-only mount
 * the message blamed the target, whose folder was writable.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors.js';
import { backUpSqlite } from '../../../src/cli/sqlite-backup.js';

it('names the store it cannot read, and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backup-source-'));
  const source = join(dir, 'not-a-store.sqlite');
  writeFileSync(source, 'this is not a SQLite file, only text long enough to fill a header page'.repeat(20));
  const target = join(dir, 'copy.sqlite');
  let error: unknown;
  try {
    backUpSqlite(source, target);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CliError);
  expect((error as Error).message).toBe(
    `cannot back up the store: cannot open SQLite store '${source}': file is not a database (SQLITE_NOTADB)`,
  );
  expect(existsSync(target)).toBe(false);
});

it('names the store when it does not exist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backup-source-'));
  const source = join(dir, 'missing.sqlite');
  expect(() => backUpSqlite(source, join(dir, 'copy.sqlite'))).toThrow(
    `cannot back up the store: cannot open SQLite store '${source}'`,
  );
});
