// A bench row killed — by its timeout, or by a Ctrl-C of the bench — skips its own teardown: its
// SQLite folder and PostgreSQL schema were left behind. The parent now removes them when the row's
// process exits, however it ends, and on SIGINT exits (130) once it has.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { runScript } from '../helpers/child.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUN = join(root, 'bench', 'run.ts');
/** Far more work than fits in the row's timeout. */
const LONG = ['--n', '2000000', '--c', '10', '--lowload', '0', '--warmup', '0', '--json'];

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Bench schemas of processes no longer running (each named `bench_<pid>`). */
async function orphanSchemas(): Promise<string[]> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/bench_engine' });
  try {
    await client.connect();
  } catch {
    return []; // no bench database yet: no schema either
  }
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE nspname ~ '^bench_[0-9]+$'",
    );
    return rows
      .map((r) => r.name)
      .filter((name) => {
        try {
          process.kill(Number(name.slice('bench_'.length)), 0);
          return false;
        } catch {
          return true;
        }
      });
  } finally {
    await client.end();
  }
}

describe('a bench row that is killed', () => {
  it('by its timeout leaves no SQLite folder behind', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-killed-'));
    const r = await runScript(RUN, [...LONG, '--rows', 'sqlite', '--timeout', '3'], {
      cwd: root,
      env: { BENCH_SQLITE_DIR: dir },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout.trim()) as object).toMatchObject({ error: 'timeout after 3s' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('by its timeout leaves no PostgreSQL schema behind', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-killed-'));
    const before = await orphanSchemas();
    const r = await runScript(RUN, [...LONG, '--rows', 'postgres', '--timeout', '4'], { cwd: root });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout.trim()) as object).toMatchObject({ error: 'timeout after 4s' });
    const left = (await orphanSchemas()).filter((s) => !before.includes(s));
    expect(left).toEqual([]);
  });

  it('by a Ctrl-C of the bench leaves nothing behind, and the bench exits 130', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-killed-'));
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...LONG, '--rows', 'sqlite'], {
      cwd: root,
      env: { ...process.env, BENCH_SQLITE_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    // The row's folder exists once the row has started.
    await expect.poll(() => readdirSync(dir).length, { timeout: 20_000, interval: 100 }).toBe(1);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});
