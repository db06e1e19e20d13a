/**
 * Runs engine rows (`bench/engine-peer.ts`), each in its own child process so every row starts
 * with a fresh heap, and collects their JSON lines.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intOption, pgUrlOption, UsageError } from './args.js';
import type { RowResult } from './format.js';
import { peersDir, repoRoot, resultsDir } from './peers.js';
import { defaultPgUrl, dropSchema, splitSchema } from './pg.js';

/** Engine rows by the name `--rows` takes. */
export const ENGINE_ROWS = {
  memory: { id: 'engine-memory', store: 'memory' },
  sqlite: { id: 'engine-sqlite', store: 'sqlite' },
  'sqlite-normal': { id: 'engine-sqlite-normal', store: 'sqlite-normal' },
  postgres: { id: 'engine-postgres', store: 'postgres' },
  /** Three cluster nodes in one process on one PostgreSQL schema. */
  'postgres-3': { id: 'engine-postgres-3', store: 'postgres-3' },
} as const;

export type EngineRowName = keyof typeof ENGINE_ROWS;

/**
 * Rows of this repository that are not the engine: yardsticks measured in the same run. They
 * appear beside the peers in the ratio tables (their ids do not start with `engine-`).
 */
export const FLOOR_ROWS = {
  /** The k + 1 fsynced SQLite commits SPEC §6 requires per workflow, and nothing else. */
  'sqlite-floor': { id: 'sqlite-floor', script: join(repoRoot, 'bench', 'floor-peer.ts') },
} as const;

export type FloorRowName = keyof typeof FLOOR_ROWS;

/** Every engine row, as a `--rows` list (the default). */
export const ALL_ROWS = Object.keys(ENGINE_ROWS).join(',');

/** The engine-peer arguments for the `--pg-url`, `--pg-pool`, `--pg-lanes` options given. */
export function pgArgs(values: { 'pg-url'?: string; 'pg-pool'?: string; 'pg-lanes'?: string }): string[] {
  const out: string[] = [];
  if (values['pg-url'] !== undefined) out.push(`--pg-url=${pgUrlOption(values['pg-url'])}`);
  // Checked here, before any row starts, as well as by each row's process.
  if (values['pg-pool'] !== undefined) out.push(`--pg-pool=${intOption('pg-pool', values['pg-pool'], 10)}`);
  if (values['pg-lanes'] !== undefined)
    out.push(`--pg-lanes=${intOption('pg-lanes', values['pg-lanes'], 1)}`);
  return out;
}

/** A row of this repository: an engine row, or a yardstick ({@link FLOOR_ROWS}). */
export type RowName = EngineRowName | FloorRowName;

/** Parses a `--rows` list (engine rows and yardsticks); an empty list only with `allowNone`. */
export function parseRows(text: string, { allowNone = false } = {}): RowName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = [...Object.keys(ENGINE_ROWS), ...Object.keys(FLOOR_ROWS)];
  if (names.length === 0 && !allowNone)
    throw new UsageError(`--rows: expected one or more of ${known.join(', ')}, got none`);
  for (const name of names) {
    if (!known.includes(name)) {
      throw new UsageError(`--rows: unknown row ${JSON.stringify(name)}: expected ${known.join(', ')}`);
    }
  }
  return names as RowName[];
}

/** Parses an option that names exactly one engine row (`bench:scale --store`). */
export function parseEngineRow(text: string, flag: string): EngineRowName {
  const name = text.trim();
  if (!(name in ENGINE_ROWS)) {
    throw new UsageError(
      `--${flag}: expected one engine row (${Object.keys(ENGINE_ROWS).join(', ')}), got ${JSON.stringify(text)}`,
    );
  }
  return name as EngineRowName;
}

/** The workload of one row. */
export interface Workload {
  n: number;
  c: number;
  lowload: number;
  warmup: number;
  steps: number;
  /** Payload bytes (0: the harness's small input). */
  payload: number;
}

export interface RunRowOptions {
  /** Seconds before the child is killed. @default 1200 */
  timeoutS?: number;
  /** Write a V8 CPU profile of the child into this folder. */
  cpuProfDir?: string;
  /** Pass the child's stderr through (prefixed), instead of keeping only its tail. */
  verbose?: boolean;
  /** Extra `--flag=value` arguments for engine-peer.ts (e.g. `--pg-url=`). */
  args?: string[];
}

const enginePeer = join(repoRoot, 'bench', 'engine-peer.ts');

/** Runs one engine row in a child process and returns its JSON line (with `row` set). */
export function runEngineRow(
  name: EngineRowName,
  w: Workload,
  options: RunRowOptions = {},
): Promise<RowResult> {
  const row = ENGINE_ROWS[name];
  const ownSchema =
    row.store.startsWith('postgres') && !(options.args ?? []).some((a) => a.startsWith('--pg-url='));
  // A row killed (its timeout, Ctrl-C) skips its teardown: the schema it made (named for its
  // process, see `defaultPgUrl`) is dropped here. One named by `--pg-url` is the caller's.
  const afterExit = ownSchema
    ? async (pid: number) => {
        const url = defaultPgUrl(pid);
        await dropSchema(url, splitSchema(url).schema!).catch(() => undefined);
      }
    : undefined;
  return runRowScript(row.id, enginePeer, [`--store=${row.store}`], w, options, afterExit);
}

/** Runs a yardstick row ({@link FLOOR_ROWS}) in a child process (same steps and payload as the engine rows). */
export function runFloorRow(
  name: FloorRowName,
  w: Workload,
  options: RunRowOptions = {},
): Promise<RowResult> {
  const row = FLOOR_ROWS[name];
  return runRowScript(row.id, row.script, [], w, options);
}

/** Kills of the rows running, which a Ctrl-C (or SIGTERM) of this process runs. */
const running = new Set<() => void>();
let interrupted: NodeJS.Signals | null = null;

/**
 * On SIGINT or SIGTERM: the rows running are killed, and this process exits (130, 143) once
 * each has been cleaned up after (see {@link runRowScript}), instead of at once, which left their
 * SQLite folders and PostgreSQL schemas behind.
 */
function onInterrupt(signal: NodeJS.Signals): void {
  interrupted = signal;
  for (const kill of running) kill();
  if (running.size === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
}

/**
 * Runs `script` (a harness row) in a child process and returns its JSON line, with `row` = `id`.
 * The row's SQLite files go in a folder of its own (`BENCH_SQLITE_DIR` for the child), removed
 * when it exits however it ends; `afterExit` (given the child's pid) cleans up the rest.
 */
function runRowScript(
  id: string,
  script: string,
  scriptArgs: string[],
  w: Workload,
  options: RunRowOptions,
  afterExit?: (pid: number) => Promise<void>,
): Promise<RowResult> {
  const row = { id };
  const nodeArgs = ['--import', 'tsx'];
  if (options.cpuProfDir) {
    // One folder per row: V8 writes one profile per thread (tsx's loader thread too); the main
    // thread's is the largest file.
    const dir = join(options.cpuProfDir, `${row.id}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const args = [
    ...nodeArgs,
    script,
    ...scriptArgs,
    `--n=${w.n}`,
    `--c=${w.c}`,
    `--lowload=${w.lowload}`,
    `--warmup=${w.warmup}`,
    `--steps=${w.steps}`,
    `--payload=${w.payload}`,
    ...(options.args ?? []),
  ];
  const timeoutS = options.timeoutS ?? 1200;
  // The signals are handled before the row's folder is made: a Ctrl-C between the two (spawning
  // takes a while) ended the bench at once, the folder left behind.
  let started: ReturnType<typeof spawn> | null = null;
  const kill = () => started?.kill('SIGKILL');
  if (running.size === 0) {
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
  }
  running.add(kill);
  const rowDir = mkdtempSync(join(process.env.BENCH_SQLITE_DIR ?? tmpdir(), 'enginebench-row-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: {
        ...process.env,
        BENCH_PEERS_DIR: peersDir(),
        BENCH_SQLITE_DIR: rowDir,
        ORCHESTRATOR_LOG_LEVEL: process.env.ORCHESTRATOR_LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started = child;
    // Interrupted while it was being started: it goes at once, and is cleaned up after as it ends.
    if (interrupted) kill();
    const cleanUp = async () => {
      rmSync(rowDir, { recursive: true, force: true });
      if (afterExit && child.pid !== undefined) await afterExit(child.pid);
      running.delete(kill);
      if (running.size > 0) return;
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
      if (interrupted) process.exit(interrupted === 'SIGINT' ? 130 : 143);
    };
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
      if (options.verbose) process.stderr.write(d.replace(/^(?=.)/gm, `[${row.id}] `));
    });
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      await cleanUp();
      const line = stdout
        .split('\n')
        .filter((l) => l.startsWith('{"name":'))
        .pop();
      let result: RowResult | null = null;
      if (line) {
        try {
          result = JSON.parse(line) as RowResult;
        } catch {
          result = null;
        }
      }
      if (!result) {
        const tail = stderr.split('\n').filter(Boolean).slice(-15).join('\n');
        result = {
          name: row.id,
          error: timedOut ? `timeout after ${timeoutS}s` : `exit ${code ?? signal}`,
          error_text: tail,
        };
      }
      resolve({ row: row.id, ...result });
    });
  });
}

/** Runs one row of either kind. */
function runRow(name: RowName, w: Workload, options: RunRowOptions): Promise<RowResult> {
  return name in FLOOR_ROWS
    ? runFloorRow(name as FloorRowName, w, options)
    : runEngineRow(name as EngineRowName, w, options);
}

/** Runs rows one after the other (or all at once with `parallel`, for smoke tests only). */
export async function runEngineRows(
  names: RowName[],
  w: Workload,
  options: RunRowOptions & {
    parallel?: boolean;
    onResult?: (r: RowResult) => void;
    /** Runs before each row (e.g. `waitForQuiet`); its number is kept as `cpu_busy_before`. */
    beforeRow?: () => Promise<number | null>;
  } = {},
): Promise<RowResult[]> {
  if (options.parallel) {
    const results = await Promise.all(names.map((n) => runRow(n, w, options)));
    for (const r of results) options.onResult?.(r);
    return results;
  }
  const results: RowResult[] = [];
  for (const name of names) {
    const busy = options.beforeRow ? await options.beforeRow() : undefined;
    const r = await runRow(name, w, options);
    if (busy !== undefined) r.cpu_busy_before = busy === null ? null : Math.round(busy * 1000) / 1000;
    options.onResult?.(r);
    results.push(r);
  }
  return results;
}

/** A fresh file name under `bench/results/`. */
export function resultsFile(prefix: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const ts = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return join(resultsDir, `${prefix}-${ts}.jsonl`);
}
