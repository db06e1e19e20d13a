/**
 * The read-only commands refuse a SQLite file that does not exist, and a PostgreSQL schema that
 * holds no orchestrator store, but a SQLite database of another application (tables of its own,
 * none of ours) was migrated by `orchestrator list`: six tables of ours written into it and the
 * file switched to WAL, to list nothing. It is now refused, naming the file and its tables, and
 * left as it was; `orchestrator migrate` still adds a store to it when that is what is meant.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

/** A SQLite file of another application: one `notes` table with a row. */
function foreignDatabase(): { file: string; url: string } {
  const s = tempStore('orch-foreign-');
  onTestFinished(() => s.remove());
  const db = new Database(s.file);
  db.exec(
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')",
  );
  db.close();
  return s;
}

describe('a SQLite database of another application', () => {
  it('is refused by list, naming the file and its tables, and left as it was', async () => {
    const { file, url } = foreignDatabase();
    const before = readFileSync(file);
    const r = await cli(['list', '--json', '--store', url]);
    expect(r.code).toBe(1);
    const { error } = parseJson<{ error: { code: string; message: string } }>(r.stdout);
    expect(error.code).toBe('STORE_NOT_FOUND');
    expect(error.message).toContain(file);
    expect(error.message).toContain('holds no orchestrator store');
    expect(error.message).toContain("'notes'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('gets a store from orchestrator migrate, and list then reads it', async () => {
    const { url } = foreignDatabase();
    expect((await cli(['migrate', '--store', url])).code).toBe(0);
    const r = await cli(['list', '--store', url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No executions');
  });

  it('does not send the user to migrate when the file holds a table of a name the store needs', async () => {
    const s = tempStore('orch-clash-');
    onTestFinished(() => s.remove());
    const db = new Database(s.file);
    db.exec('CREATE TABLE Executions (x INTEGER); CREATE TABLE notes (y INTEGER)');
    db.close();
    const r = await cli(['list', '--store', s.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "'Executions' is a name the store's own tables need, so `orchestrator migrate` cannot add one to this file",
    );
    expect(r.stderr).not.toContain('run `orchestrator migrate`');
    const migrate = await cli(['migrate', '--store', s.url]);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain("the file already has table 'Executions', a name the store creates");
  });

  it('an empty file is refused the same way', async () => {
    const s = tempStore('orch-empty-');
    onTestFinished(() => s.remove());
    writeFileSync(s.file, '');
    const r = await cli(['list', '--store', s.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`holds no orchestrator store`);
    expect(readFileSync(s.file).length).toBe(0);
  });
});
