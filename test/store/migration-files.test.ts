/** The numbered migration files both SQL stores read (`src/store/migration-files.ts`). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../src/errors.js';
import { createdNames, readMigrations } from '../../src/store/migration-files.js';
import { loadMigrations as loadPostgres } from '../../src/store/postgres/migrate.js';
import { loadMigrations as loadSqlite } from '../../src/store/sqlite/migrate.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder holding `files` (name → SQL), as a file URL ending in '/'. */
function folder(files: Record<string, string>): URL {
  const dir = mkdtempSync(join(tmpdir(), 'orch-migrations-'));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return pathToFileURL(`${dir}/`);
}

describe('readMigrations', () => {
  it('orders the numbered .sql files by number and ignores other files', () => {
    const dir = folder({
      '010_late.sql': 'SELECT 10;',
      '002_second.sql': 'SELECT 2;',
      '001_init.sql': 'SELECT 1;',
      'README.md': '# not a migration',
      '003_notes.txt': 'not sql',
      'draft.sql': 'no number',
    });
    expect(readMigrations(dir, 'SQLite')).toEqual([
      { version: 1, name: '001_init.sql', sql: 'SELECT 1;' },
      { version: 2, name: '002_second.sql', sql: 'SELECT 2;' },
      { version: 10, name: '010_late.sql', sql: 'SELECT 10;' },
    ]);
  });

  it('refuses two files with one number, naming the store and both files', () => {
    const dir = folder({ '001_init.sql': 'SELECT 1;', '002_a.sql': 'SELECT 2;', '002_b.sql': 'SELECT 3;' });
    let error: unknown;
    try {
      readMigrations(dir, 'PostgreSQL');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OrchestratorError);
    expect((error as OrchestratorError).code).toBe('STORE_UNAVAILABLE');
    expect((error as Error).message).toBe('Two PostgreSQL migrations share version 2: 002_a.sql, 002_b.sql');
  });

  // A build or bundle that left the .sql files behind (tsc without the copy step, a bundler): the
  // store said ENOENT from readdir (PostgreSQL: an untyped error), or with an empty folder took
  // every existing store for one a newer release migrated (schema version 3, newer than 0).
  it.each([
    ['a folder that does not exist', () => new URL('missing-folder/', folder({}))],
    ['a folder without migration files', () => folder({ 'README.md': '# notes' })],
  ])('refuses %s: STORE_UNAVAILABLE naming the store and the folder', (_what, dir) => {
    const where = dir();
    let error: unknown;
    try {
      readMigrations(where, 'SQLite');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OrchestratorError);
    expect((error as OrchestratorError).code).toBe('STORE_UNAVAILABLE');
    expect((error as Error).message).toBe(
      `The SQLite migration files are missing from ${fileURLToPath(where)}: this installation is incomplete (a build copies them next to the compiled code: npm run build)`,
    );
  });

  it("reads each store's shipped migrations, numbered 1, 2, 3, ... without gaps", () => {
    for (const migrations of [loadSqlite(), loadPostgres()]) {
      expect(migrations.length).toBeGreaterThan(0);
      expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
      for (const m of migrations) expect(m.sql.trim().length).toBeGreaterThan(0);
    }
  });
});

describe('createdNames', () => {
  it('lists the tables and indexes a migration must have free, not those of comments or IF NOT EXISTS', () => {
    const sql = `-- a comment: CREATE TABLE not_me (x int)
      CREATE TABLE executions (id text);
      /* CREATE INDEX nor_me ON executions (id) */
      CREATE UNIQUE INDEX executions_key ON executions (id);
      CREATE INDEX CONCURRENTLY executions_late ON executions (id);
      CREATE INDEX CONCURRENTLY IF NOT EXISTS maybe ON executions (id);
      create table "Quoted" (x int);
      CREATE TABLE IF NOT EXISTS schema_migrations (v int);`;
    expect(createdNames(sql)).toEqual([
      ['table', 'executions'],
      ['index', 'executions_key'],
      ['index', 'executions_late'],
      ['table', 'Quoted'],
    ]);
  });

  it("finds only real names in the stores' own migrations", () => {
    // A comment of PostgreSQL's 006 mentions CREATE INDEX CONCURRENTLY: no name 'CONCURRENTLY'.
    for (const m of [...loadSqlite(), ...loadPostgres()]) {
      for (const [, name] of createdNames(m.sql)) expect(name, m.name).toMatch(/^[a-z_]+$/);
    }
  });
});
