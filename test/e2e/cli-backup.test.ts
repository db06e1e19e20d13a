/**
 * `orchestrator backup <file>`: a consistent copy of the SQLite store, taken while it runs. Copying
 * the store file is no backup (the commits still in its `-wal` file are missing, and a copy made
 * during a checkpoint is torn); `VACUUM INTO` writes one snapshot to a new file, which is then
 * checked. A file that exists is never overwritten; a PostgreSQL store is sent to pg_dump.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
const out = tempStore('orch-backup-');
afterAll(() => {
  store.remove();
  out.remove();
});

/** The executions a store file holds, and whether it passes SQLite's check. */
function contents(file: string): { executions: number; check: unknown } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      executions: db.prepare('SELECT count(*) FROM executions').pluck().get() as number,
      check: db.pragma('quick_check', { simple: true }),
    };
  } finally {
    db.close();
  }
}

describe('orchestrator backup', () => {
  it('copies the store while another process writes to it: a checked snapshot, a store the CLI reads', async () => {
    const orch = await createOrchestrator({ store: store.url, actions: { work: (input) => input } });
    const target = join(out.dir, 'live.sqlite');
    let written = 0;
    try {
      await orch.workflowEngine.defineWorkflow('busy', [{ name: 'work' }, { name: 'more', action: 'work' }]);
      for (let i = 0; i < 50; i++) await orch.workflowEngine.executeWorkflow('busy', { i });
      written = 50;
      // Executions keep being created and run while the backup (another process) reads.
      let writing = true;
      const writer = (async () => {
        while (writing) {
          await orch.workflowEngine.executeWorkflow('busy', { i: written });
          written++;
        }
      })();
      const r = await cli(['--json', 'backup', target, '--store', store.url]);
      writing = false;
      await writer;
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const report = parseJson<{ backup: string; executions: number; bytes: number }>(r.stdout);
      expect(report.backup).toBe(target);
      const copy = contents(target);
      expect(copy.check).toBe('ok');
      expect(copy.executions).toBe(report.executions);
      expect(copy.executions).toBeGreaterThanOrEqual(50);
      expect(copy.executions).toBeLessThanOrEqual(written);
    } finally {
      await orch.close();
    }
    const listed = await cli(['--json', 'list', '--limit', '1000', '--store', `sqlite:${target}`]);
    expect(listed.code).toBe(0);
    expect(parseJson<unknown[]>(listed.stdout).length).toBe(Math.min(1000, contents(target).executions));
  }, 60_000);

  it('prints what it wrote', async () => {
    const target = join(out.dir, 'plain.sqlite');
    const r = await cli(['backup', target, '--store', store.url]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(
      new RegExp(
        `^Backed up ${store.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} to .*plain\\.sqlite\\.\\n  executions  \\d+ executions\\n  size        [\\d.]+ (KiB|MiB)\\n  took        `,
      ),
    );
  }, 60_000);

  it('never overwrites a file, and leaves nothing behind when it cannot write', async () => {
    const existing = join(out.dir, 'live.sqlite');
    const before = contents(existing).executions;
    const r = await cli(['backup', existing, '--store', store.url]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toBe(
      `error: backup file '${existing}' exists already: name a new file (a backup never overwrites one)\n`,
    );
    expect(contents(existing).executions).toBe(before);

    const nowhere = join(out.dir, 'no-such-folder', 'b.sqlite');
    const w = await cli(['backup', nowhere, '--store', store.url]);
    expect({ code: w.code, stderr: w.stderr }).toEqual({
      code: 2,
      stderr: `error: backup file '${nowhere}': its folder ${join(out.dir, 'no-such-folder')} does not exist (create it first)\n`,
    });
    expect(existsSync(nowhere)).toBe(false);
    // A copy SQLite cannot write (a file where its folder should be): exit 1, nothing left.
    const blocked = join(out.dir, 'live.sqlite', 'b.sqlite');
    const b = await cli(['backup', blocked, '--store', store.url]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^error: cannot back up the store to '.*b\.sqlite': unable to open database/);
    expect(contents(existing).executions).toBe(before);
  }, 60_000);

  it('refuses what it cannot copy: no store yet, the memory store, a PostgreSQL store (before connecting)', async () => {
    const missing = tempStore();
    try {
      const r = await cli(['backup', join(out.dir, 'x.sqlite'), '--store', missing.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('does not exist yet');
    } finally {
      missing.remove();
    }
    const memory = await cli(['backup', join(out.dir, 'm.sqlite'), '--store', 'memory']);
    expect({ code: memory.code, stderr: memory.stderr }).toEqual({
      code: 2,
      stderr: "error: store 'memory' lives in this process only: there is nothing to back up\n",
    });
    // Port 1: nothing listens there, and nothing is tried.
    const pg = await cli([
      'backup',
      join(out.dir, 'p.sqlite'),
      '--store',
      'postgres://u@127.0.0.1:1/db?schema=orders',
    ]);
    expect({ code: pg.code, stderr: pg.stderr }).toEqual({
      code: 2,
      stderr:
        'error: backup copies a SQLite store; back up a PostgreSQL store with PostgreSQL\'s tools, e.g. pg_dump --schema="orders" <database> (its tables are in the schema "orders")\n',
    });
  }, 60_000);
});
