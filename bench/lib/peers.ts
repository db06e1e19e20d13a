/**
 * Where the peer harness comes from and where its writable copy lives.
 *
 * The shared peers folder (`../shared/peers` beside the repository) may be read-only and must not
 * be modified, so the bench works on a copy: by default `node_modules/.cache/orchestrator-peers`
 * (ignored by git, Biome and tsc, rebuilt after a fresh `npm ci`). Its source files are refreshed
 * from the shared folder on every run (cheap); its own `npm ci` (slow: better-sqlite3 compiles) runs
 * only when its `package-lock.json` changed or it was never installed.
 *
 * Overrides: `BENCH_PEERS_SRC` (the shared folder), `BENCH_PEERS_DIR` (the copy).
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `bench/lib/peers.ts`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where bench results (JSONL) and logs go; git-ignored. */
export const resultsDir = join(repoRoot, 'bench', 'results');

/** The shared peers folder (read only). */
export function peersSource(): string {
  return resolve(process.env.BENCH_PEERS_SRC ?? join(repoRoot, '..', 'shared', 'peers'));
}

/** The writable copy the harness is imported from. */
export function peersDir(): string {
  return resolve(
    process.env.BENCH_PEERS_DIR ?? join(repoRoot, 'node_modules', '.cache', 'orchestrator-peers'),
  );
}

const STAMP = '.bench-installed-lock.sha256';
const SKIP = new Set(['node_modules', 'results', STAMP]);

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else if (entry.isFile()) chmodSync(p, entry.name.endsWith('.sh') ? 0o755 : 0o644);
  }
}

function lockHash(dir: string): string {
  const lock = join(dir, 'package-lock.json');
  return existsSync(lock) ? createHash('sha256').update(readFileSync(lock)).digest('hex') : 'none';
}

/** Whether the copy has its own dependencies installed for its current lock file. */
export function peersInstalled(dir = peersDir()): boolean {
  const stamp = join(dir, STAMP);
  return (
    existsSync(join(dir, 'node_modules')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === lockHash(dir)
  );
}

/**
 * Refreshes the copy from the shared folder and returns its path. With `install`, also runs
 * `npm ci` there when needed (the peer rows need it; the engine rows only import the harness,
 * whose `pg` import resolves from this repository's own `node_modules`).
 */
export function ensurePeersCopy(options: { install?: boolean; log?: (msg: string) => void } = {}): string {
  const log = options.log ?? ((msg: string) => process.stderr.write(`[bench] ${msg}\n`));
  const src = peersSource();
  const dir = peersDir();
  if (!existsSync(join(src, 'lib', 'harness.mjs'))) {
    if (existsSync(join(dir, 'lib', 'harness.mjs'))) {
      log(`peers source ${src} not found; using the existing copy ${dir}`);
    } else {
      throw new Error(
        `peer harness not found: expected ${join(src, 'lib', 'harness.mjs')} (set BENCH_PEERS_SRC to the shared peers folder)`,
      );
    }
  } else {
    mkdirSync(dir, { recursive: true });
    cpSync(src, dir, {
      recursive: true,
      force: true,
      filter: (from) => {
        const rel = relative(src, from).split(/[\\/]/)[0] ?? '';
        return !SKIP.has(rel);
      },
    });
    makeWritable(dir);
  }
  if (options.install) installPeers(dir, log);
  return dir;
}

/** Runs `npm ci` in the peers copy `dir` unless its lock file's install is there already. */
export function installPeers(dir: string, log: (msg: string) => void): void {
  if (peersInstalled(dir)) return;
  log(`npm ci in ${dir} (once; better-sqlite3 builds from source, about a minute)`);
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (r.status !== 0) throw new Error(`npm ci failed in ${dir} (exit ${r.status ?? r.signal})`);
  writeFileSync(join(dir, STAMP), `${lockHash(dir)}\n`);
}
