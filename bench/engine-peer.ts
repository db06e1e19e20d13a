/**
 * The engine as one row of the peer harness (same shape as the harness's `peers/template-engine.ts`).
 *
 *   npx tsx bench/engine-peer.ts --store=sqlite --n=2000 --c=100 --lowload=200
 *
 * Flags (`--flag=value`):
 * - `--store=memory|sqlite|sqlite-normal|postgres` (default `sqlite`: WAL, synchronous=FULL);
 * - `--n= --c= --lowload= --warmup= --pgpool=` are read by the harness itself (or `BENCH_N`, ...);
 * - `--steps=<k>` steps per workflow (default 3). Step k calls the harness's `STEPS`, cycled so that
 *   the last step is always `STEPS[2]`: the workflow's result is `{ok:true, step:3}` as the harness
 *   checks, whatever k is;
 * - `--payload=<bytes>` (`10kb`, `1mb` accepted; default `small` = 0): the workflow input carries a
 *   string of that many bytes and so does every step's output (what a real step returns);
 * - `--max-concurrent=<k>` the engine's `maxConcurrentWorkflows` (default: the harness's C);
 * - `--pg-url=<url>` the PostgreSQL store URL (default
 *   `postgres://postgres@127.0.0.1:5432/bench_engine?schema=bench_<pid>`, schema dropped afterwards).
 *
 * Prints the harness's JSON line on stdout. When PostgreSQL is unavailable (store not built yet,
 * server not reachable), prints `{"name", "skipped": true, "note"}` instead and exits 0.
 * `extra` adds the RSS after the run and the peak sampled every 20 ms, and the commits per workflow
 * where the store counts them.
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Orchestrator, Store } from '../src/index.js';

// The engine runs as compiled JavaScript from dist/ (what users run; the peers are plain JS too)
// when it is built, else from source through tsx. `npm run bench` builds first.
const built = new URL('../dist/src/index.js', import.meta.url);
const fromDist = existsSync(built) && process.env.BENCH_ENGINE_SOURCE !== '1';
const engine: typeof import('../src/index.js') = await import(fromDist ? built.href : '../src/index.js');
const { SqliteStore }: typeof import('../src/store/sqlite/sqlite-store.js') = await import(
  fromDist
    ? new URL('../dist/src/store/sqlite/sqlite-store.js', import.meta.url).href
    : '../src/store/sqlite/sqlite-store.js'
);
const { createOrchestrator, OrchestratorError } = engine;

import { intOption, parsePayload } from './lib/args.js';
import { loadHarness, type Peer, type StepOutput, type WorkflowInput } from './lib/harness.js';

type StoreKind = 'memory' | 'sqlite' | 'sqlite-normal' | 'postgres';
const STORE_KINDS: readonly StoreKind[] = ['memory', 'sqlite', 'sqlite-normal', 'postgres'];

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  const found = process.argv.find((a) => a.startsWith(prefix));
  return found === undefined ? undefined : found.slice(prefix.length);
}

const storeKind = (arg('store') ?? 'sqlite') as StoreKind;
if (!STORE_KINDS.includes(storeKind)) {
  throw new Error(`--store: expected one of ${STORE_KINDS.join(', ')}, got ${storeKind}`);
}
const harness = await loadHarness();
const { STEPS, C, WARMUP, N, LOWLOAD_N } = harness;
const stepsPerWf = intOption('steps', arg('steps'), 3);
const payloadBytes = parsePayload(arg('payload'));
const maxConcurrent = intOption('max-concurrent', arg('max-concurrent'), C);
const pgUrl = arg('pg-url') ?? `postgres://postgres@127.0.0.1:5432/bench_engine?schema=bench_${process.pid}`;
const pad = payloadBytes > 0 ? 'x'.repeat(payloadBytes) : null;

const WORKFLOW = 'bench_wf';
/** Step k (0-based) calls STEPS[stepIndex(k)]: a cycle aligned so that the last step is STEPS[2]. */
const stepIndex = (k: number) => 2 - ((stepsPerWf - 1 - k) % 3);
const stepNames = Array.from({ length: stepsPerWf }, (_, k) => `s${k + 1}`);
const lastStep = stepNames[stepsPerWf - 1]!;
const actions = Object.fromEntries(
  stepNames.map((name, k) => {
    const step = STEPS[stepIndex(k)]!;
    const handler = pad
      ? async (input: unknown) => ({ ...(await step(input)), payload: pad })
      : (input: unknown) => step(input);
    return [`bench_${name}`, handler];
  }),
);

// ---------------------------------------------------------------- row description
const payloadText = payloadBytes > 0 ? `${payloadBytes} B payload in the input and in every step output` : '';
const shape = [stepsPerWf !== 3 ? `${stepsPerWf} steps` : '', payloadBytes > 0 ? `${payloadBytes} B` : '']
  .filter(Boolean)
  .join(', ');
const rowName = `engine (${storeKind === 'sqlite' ? 'sqlite FULL' : storeKind === 'sqlite-normal' ? 'sqlite NORMAL' : storeKind}${shape ? `, ${shape}` : ''})`;

const CHECKPOINT: Record<StoreKind, string> = {
  memory:
    'none: in-memory store (each step result is written to the in-process store before the next step starts; nothing survives the process)',
  sqlite:
    "group commit: each step's result and next position committed (WAL, synchronous=FULL) before the next step starts; concurrent executions share commits",
  'sqlite-normal':
    "group commit: each step's result and next position committed (WAL, synchronous=NORMAL: no fsync at commit, survives a process crash, not a power loss) before the next step starts; concurrent executions share commits",
  postgres:
    "group commit: each step's result and next position committed in PostgreSQL (server's synchronous_commit, see extra) before the next step starts; concurrent executions share commits",
};

let orch: Orchestrator | null = null;
let sqliteDir: string | null = null;
let sampler: NodeJS.Timeout | null = null;
let rssPeak = 0;
const mem: Record<string, number> = {};
const info: Record<string, unknown> = {};
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function sample(): void {
  const rss = process.memoryUsage.rss();
  if (rss > rssPeak) rssPeak = rss;
}

function pgSchema(url: string): string | null {
  try {
    return new URL(url).searchParams.get('schema');
  } catch {
    return null;
  }
}

function pgAdminUrl(url: string): string {
  const u = new URL(url);
  u.search = '';
  return u.toString();
}

async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgAdminUrl(url), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the URL's database if it is missing (connecting to the `postgres` database). */
async function ensurePgDatabase(url: string): Promise<void> {
  const db = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!db || db === 'postgres') return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await withPg(admin.toString(), async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE "${db.replace(/"/g, '""')}"`);
  });
}

async function openEngineStore(): Promise<string | Store> {
  switch (storeKind) {
    case 'memory':
      return 'memory';
    case 'sqlite':
    case 'sqlite-normal': {
      sqliteDir = mkdtempSync(join(process.env.BENCH_SQLITE_DIR ?? tmpdir(), 'enginebench-sqlite-'));
      const file = join(sqliteDir, 'bench.sqlite');
      // FULL goes through the public URL (what users configure); NORMAL needs the store's option.
      return storeKind === 'sqlite' ? `sqlite:${file}` : new SqliteStore(file, { synchronous: 'NORMAL' });
    }
    case 'postgres': {
      // createOrchestrator throws STORE_UNAVAILABLE while the PostgreSQL store is not built.
      await ensurePgDatabase(pgUrl);
      info.pg_synchronous_commit = await withPg(pgUrl, async (c) => {
        const r = await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
        return r.rows[0]?.synchronous_commit;
      });
      return pgUrl;
    }
  }
}

function storeExtra(): Record<string, unknown> {
  const store = orch?.store as
    | (Store & { commitStats?: { flushes: number; operations: number } })
    | undefined;
  const total = WARMUP + N + LOWLOAD_N;
  const out: Record<string, unknown> = {};
  if (store?.commitStats) {
    // Includes setup writes (the definition): a handful over thousands of workflows.
    out.commits_per_wf = Math.round((store.commitStats.flushes / total) * 1000) / 1000;
    out.store_ops_per_wf = Math.round((store.commitStats.operations / total) * 1000) / 1000;
  }
  return out;
}

const peer: Peer = {
  name: rowName,
  durable: storeKind === 'sqlite' || storeKind === 'postgres',
  checkpoint: CHECKPOINT[storeKind],
  get notes() {
    return [
      `orchestrator createOrchestrator({store, maxConcurrentWorkflows: ${maxConcurrent}}), workflow of ${stepsPerWf} action steps (harness STEPS${stepsPerWf === 3 ? '' : ' cycled, last = STEPS[2]'})`,
      'run() = executeWorkflow (resolves once the execution is stored) + waitForCompletion; the last step result is committed with the terminal state',
      payloadText,
      fromDist ? 'engine from dist/ (compiled JS)' : 'engine from src/ through tsx',
      sqliteDir ? `SQLite file in ${sqliteDir} (same disk as the peers)` : '',
    ]
      .filter(Boolean)
      .join('; ');
  },
  pgDatabases: storeKind === 'postgres' ? [new URL(pgUrl).pathname.slice(1)] : [],
  async setup() {
    const store = await openEngineStore();
    orch = await createOrchestrator({ store, maxConcurrentWorkflows: maxConcurrent, actions });
    // synchronous_commit=off acknowledges commits before the WAL is flushed: not durable.
    if (storeKind === 'postgres' && info.pg_synchronous_commit === 'off') peer.durable = false;
    const poolSize = (orch.store as { poolSize?: unknown }).poolSize;
    if (typeof poolSize === 'number') peer.pgPool = poolSize;
    const settings = (orch.store as { settings?: () => Record<string, unknown> }).settings;
    if (typeof settings === 'function') {
      const s = settings.call(orch.store);
      info.sqlite_synchronous = s.synchronous;
      info.sqlite_journal_mode = s.journalMode;
    }
    await orch.workflowEngine.defineWorkflow(
      WORKFLOW,
      stepNames.map((name) => ({ name, action: `bench_${name}` })),
    );
    mem.rss_mb_after_setup = mb(process.memoryUsage.rss());
    // The machine is shared: the 1-minute load average tells whether other work competed for the CPU.
    info.load1_start = Math.round(loadavg()[0]! * 100) / 100;
    rssPeak = 0;
    sample();
    sampler = setInterval(sample, 20);
    sampler.unref();
  },
  async run(_wfId: number, input: WorkflowInput): Promise<StepOutput> {
    const engine = orch!.workflowEngine;
    const id = await engine.executeWorkflow(WORKFLOW, pad ? { ...input, payload: pad } : input);
    const status = await engine.waitForCompletion(id);
    if (status.status !== 'completed') {
      throw new Error(`execution ${id} ended ${status.status}: ${JSON.stringify(status.error)}`);
    }
    if (status.stepsCompleted !== stepsPerWf) {
      throw new Error(`execution ${id} completed ${status.stepsCompleted} of ${stepsPerWf} steps`);
    }
    return status.outputData[lastStep] as StepOutput;
  },
  async teardown() {
    if (sampler) clearInterval(sampler);
    sample();
    const usage = process.memoryUsage();
    mem.rss_mb_after_run = mb(usage.rss);
    mem.rss_mb_peak = mb(rssPeak);
    mem.heap_used_mb_after_run = mb(usage.heapUsed);
    info.load1_end = Math.round(loadavg()[0]! * 100) / 100;
    Object.assign(info, storeExtra());
    await orch?.close();
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
    const schema = storeKind === 'postgres' ? pgSchema(pgUrl) : null;
    if (schema && !arg('pg-url')) {
      await withPg(pgUrl, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`));
    }
  },
  extra: () => ({
    engine_store: storeKind,
    steps_per_wf: stepsPerWf,
    payload_bytes: payloadBytes,
    max_concurrent: maxConcurrent,
    ...mem,
    ...info,
  }),
};

function unavailable(error: unknown): boolean {
  return error instanceof OrchestratorError && error.code === 'STORE_UNAVAILABLE';
}

function connectionRefused(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH';
}

try {
  await harness.runPeer(peer);
  process.exit(0);
} catch (error) {
  if (storeKind === 'postgres' && (unavailable(error) || connectionRefused(error))) {
    const message = error instanceof Error ? error.message : String(error);
    const why = /not built/i.test(message) ? 'not built' : 'not reachable';
    process.stdout.write(`${JSON.stringify({ name: rowName, skipped: true, note: `${why}: ${message}` })}\n`);
    process.exit(0);
  }
  console.error(error);
  process.exit(1);
}
