/**
 * A SQLite store file this process may not write: the start fails with `STORE_UNAVAILABLE` naming
 * the file and the cause (a read-only file, or a directory where SQLite cannot create its -wal and
 * -shm files), and the file keeps what it held. The start runs in a child process as another user
 * (`nobody`) when the tests run as root, whom file modes do not stop.
 */
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution } from './records.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

/** Starting Node and compiling the engine under tsx takes seconds on a loaded 2-core machine. */
const CHILD_RUN = { timeout: 120_000 };
const NOBODY = 65534;

/** Starts an orchestrator on `path` in a child process, as `nobody` when this one is root. */
function start(path: string): Promise<{ ok?: boolean; status?: string; code?: string; message?: string }> {
  const asOther = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/store/fixtures/sqlite-start-child.ts', path],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
        ...asOther,
      },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`child exited ${code}: ${stdout}${stderr}`));
      else resolve(JSON.parse(line));
    });
  });
}

/** A store file with one execution in a directory the child may enter (mkdtemp makes it 0700). */
async function storeWithOne(): Promise<{ dir: string; path: string }> {
  const { dir, remove } = tempDir();
  // Modes put back first, so that the directory can be removed.
  cleanups.push(remove, () => chmodSync(dir, 0o700));
  const path = join(dir, 'store.sqlite');
  const store = new SqliteStore(path);
  await store.init();
  await store.createExecution(makeExecution({ id: 'kept' }));
  await store.close();
  return { dir, path };
}

function executionIds(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT id FROM executions ORDER BY id').pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe('a SQLite store file the process may not write', () => {
  it('runs a workflow when the file and its directory are writable (the control)', CHILD_RUN, async () => {
    const { dir, path } = await storeWithOne();
    chmodSync(dir, 0o777);
    chmodSync(path, 0o666);
    expect(await start(path)).toEqual({ ok: true, status: 'completed' });
    expect(executionIds(path)).toHaveLength(2);
  });

  it(
    'refuses a read-only file at the start, naming it and SQLITE_READONLY, and leaves it as it was',
    CHILD_RUN,
    async () => {
      const { dir, path } = await storeWithOne();
      chmodSync(dir, 0o777);
      chmodSync(path, 0o444);
      const result = await start(path);
      expect(result.code).toBe('STORE_UNAVAILABLE');
      expect(result.message).toBe(
        `SQLite store '${path}': attempt to write a readonly database (SQLITE_READONLY: this process cannot write to the file or to its directory (SQLite writes -wal and -shm files there))`,
      );
      expect(executionIds(path)).toEqual(['kept']);
    },
  );

  it(
    'refuses a file in a directory it cannot write, where SQLite keeps its -wal and -shm files',
    CHILD_RUN,
    async () => {
      const { dir, path } = await storeWithOne();
      chmodSync(path, 0o666);
      chmodSync(dir, 0o555);
      const result = await start(path);
      expect(result.code).toBe('STORE_UNAVAILABLE');
      expect(result.message).toBe(
        `Cannot open SQLite store '${path}': attempt to write a readonly database (SQLITE_READONLY_DIRECTORY: this process cannot write to the file or to its directory (SQLite writes -wal and -shm files there))`,
      );
      expect(executionIds(path)).toEqual(['kept']);
    },
  );

  it('refuses a new file in a directory it cannot write, naming the file', CHILD_RUN, async () => {
    const { dir } = await storeWithOne();
    chmodSync(dir, 0o555);
    const path = join(dir, 'new.sqlite');
    const result = await start(path);
    expect(result.code).toBe('STORE_UNAVAILABLE');
    expect(result.message).toBe(
      `Cannot open SQLite store '${path}': unable to open database file (SQLITE_CANTOPEN: the file or its directory cannot be opened)`,
    );
  });
});
