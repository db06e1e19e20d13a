/**
 * The engine as one row of the peer harness (same shape as the harness's `peers/template-engine.ts`).
 *
 *   npx tsx bench/engine-peer.ts --store=sqlite --n=2000 --c=100 --lowload=200
 *
 * Flags (`--flag=value`):
 * - `--store=memory|sqlite|sqlite-normal|postgres|postgres-3` (default `sqlite`: WAL,
 *   synchronous=FULL). `postgres-3` runs THREE orchestrator nodes in cluster mode in this process,
 *   each with its own `PostgresStore` (pool) on the same database and schema: submissions go
 *   round-robin to the nodes (each keeps its execution while the nodes stay balanced, else places it on
 *   the least-loaded node: docs/scaling.md), and completion is
 *   learned from the nodes' `execution.finished` events (see `lib/completions.ts`), not by polling;
 * - `--n= --c= --lowload= --warmup= --pgpool=` are read by the harness itself (or `BENCH_N`, ...);
 * - `--steps=<k>` steps per workflow (default 3). Step k calls the harness's `STEPS`, cycled so that
 *   the last step is always `STEPS[2]`: the workflow's result is `{ok:true, step:3}` as the harness
 *   checks, whatever k is;
 * - `--payload=<bytes>` (`10kb`, `1mb` accepted; default `small` = 0): the workflow input carries a
 *   string of that many bytes and so does every step's output (what a real step returns);
 * - `--max-concurrent=<k>` the engine's `maxConcurrentWorkflows` (default: the harness's C);
 * - `--pg-url=<url>` the PostgreSQL store URL (default
 *   `postgres://postgres@127.0.0.1:5432/bench_engine?schema=bench_<pid>`, schema dropped afterwards);
 * - `--pg-pool=<k>`, `--pg-lanes=<k>` the `PostgresStore`'s `poolSize` and `writeLanes` (per node;
 *   default: the store's defaults).
 *
 * Prints the harness's JSON line on stdout. When PostgreSQL is unavailable (store not built yet,
 * server not reachable), prints `{"name", "skipped": true, "note"}` instead and exits 0.
 * `extra` adds the RSS after the run and the peak sampled every 20 ms, and the commits per workflow
 * where the store counts them.
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Orchestrator, Store } from '../src/index.js';

// The engine runs as compiled JavaScript from dist/ (what users run; the peers are plain JS too)
// when it is built, else from source through tsx. `npm run bench` builds first.
// `BENCH_ENGINE_DIST=<dir>` runs another build instead (e.g. of the previous commit, for before/after).
const distDir = process.env.BENCH_ENGINE_DIST
  ? pathToFileURL(`${resolve(process.env.BENCH_ENGINE_DIST)}/`)
  : new URL('../dist/', import.meta.url);
const fromDist = existsSync(new URL('src/index.js', distDir)) && process.env.BENCH_ENGINE_SOURCE !== '1';
const load = (module: string) =>
  import(fromDist ? new URL(`src/${module}.js`, distDir).href : `../src/${module}.js`);
const engine: typeof import('../src/index.js') = await load('index');
const { SqliteStore }: typeof import('../src/store/sqlite/sqlite-store.js') =
  await load('store/sqlite/sqlite-store');
const { PostgresStore }: typeof import('../src/store/postgres/postgres-store.js') = await load(
  'store/postgres/postgres-store',
);
const { createOrchestrator, OrchestratorError } = engine;

import { intOption, parsePayload } from './lib/args.js';
import { Completions, waitForCluster } from './lib/completions.js';
import {
  argValue,
  harnessStepIndex,
  loadHarness,
  type Peer,
  type StepOutput,
  type WorkflowInput,
} from './lib/harness.js';
import {
  defaultPgUrl,
  dropSchema,
  ensurePgDatabase,
  serverBase,
  splitSchema,
  synchronousCommit,
} from './lib/pg.js';
import { RssSampler } from './lib/rss.js';

type StoreKind = 'memory' | 'sqlite' | 'sqlite-normal' | 'postgres' | 'postgres-3';
const STORE_KINDS: readonly StoreKind[] = ['memory', 'sqlite', 'sqlite-normal', 'postgres', 'postgres-3'];

const arg = argValue;

const storeKind = (arg('store') ?? 'sqlite') as StoreKind;
if (!STORE_KINDS.includes(storeKind)) {
  throw new Error(`--store: expected one of ${STORE_KINDS.join(', ')}, got ${storeKind}`);
}
const pgUrl = arg('pg-url') ?? defaultPgUrl();
const isPg = storeKind === 'postgres' || storeKind === 'postgres-3';
// The harness reads the server's counters around the row as BENCH_PG_BASE's role: the store's.
if (isPg && process.env.BENCH_PG_BASE === undefined) process.env.BENCH_PG_BASE = serverBase(pgUrl);
const harness = await loadHarness();
const { STEPS, C, WARMUP, N, LOWLOAD_N } = harness;
const stepsPerWf = intOption('steps', arg('steps'), 3);
const payloadBytes = parsePayload(arg('payload'));
const maxConcurrent = intOption('max-concurrent', arg('max-concurrent'), C);
const nodeCount = storeKind === 'postgres-3' ? 3 : 1;
const pgPool = arg('pg-pool') === undefined ? undefined : intOption('pg-pool', arg('pg-pool'), 10);
const pgLanes = arg('pg-lanes') === undefined ? undefined : intOption('pg-lanes', arg('pg-lanes'), 1);
const pad = payloadBytes > 0 ? 'x'.repeat(payloadBytes) : null;

const WORKFLOW = 'bench_wf';
const stepNames = Array.from({ length: stepsPerWf }, (_, k) => `s${k + 1}`);
const lastStep = stepNames[stepsPerWf - 1]!;
const actions = Object.fromEntries(
  stepNames.map((name, k) => {
    const step = STEPS[harnessStepIndex(k, stepsPerWf)]!;
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
const storeLabel: Record<StoreKind, string> = {
  memory: 'memory',
  sqlite: 'sqlite FULL',
  'sqlite-normal': 'sqlite NORMAL',
  postgres: 'postgres',
  'postgres-3': 'postgres, 3 nodes',
};
const rowName = `engine (${storeLabel[storeKind]}${shape ? `, ${shape}` : ''})`;

const CHECKPOINT: Record<StoreKind, string> = {
  memory:
    'none: in-memory store (each step result is written to the in-process store before the next step starts; nothing survives the process)',
  sqlite:
    "group commit: each step's result and next position committed (WAL, synchronous=FULL) before the next step starts; concurrent executions share commits",
  'sqlite-normal':
    "group commit: each step's result and next position committed (WAL, synchronous=NORMAL: no fsync at commit, survives a process crash, not a power loss) before the next step starts; concurrent executions share commits",
  postgres:
    "group commit: each step's result and next position committed in PostgreSQL (server's synchronous_commit, see extra) before the next step starts; concurrent executions share commits (write lanes commit concurrently, each on its own connection)",
  'postgres-3':
    "group commit per node: each step's result and next position committed in PostgreSQL (server's synchronous_commit, see extra) before the next step starts; concurrent executions of a node share commits (write lanes commit concurrently, each on its own connection)",
};

/** The orchestrator nodes (one, except for `postgres-3`); the first one is `orch`. */
let nodes: Orchestrator[] = [];
let orch: Orchestrator | null = null;
let completions: Completions<StepOutput> | null = null;
let submitted = 0;
let sqliteDir: string | null = null;
const rssSampler = new RssSampler();
const mem: Record<string, number> = {};
const info: Record<string, unknown> = {};
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** A `PostgresStore` on the row's URL (with its schema), with `--pg-pool` / `--pg-lanes`. */
function pgStore(): Store {
  const { url, schema } = splitSchema(pgUrl);
  return new PostgresStore(url, {
    ...(schema ? { schema } : {}),
    ...(pgPool ? { poolSize: pgPool } : {}),
    ...(pgLanes ? { writeLanes: pgLanes } : {}),
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
    case 'postgres':
    case 'postgres-3': {
      await ensurePgDatabase(pgUrl);
      info.pg_synchronous_commit = await synchronousCommit(pgUrl);
      return pgStore();
    }
  }
}

/** Opens the nodes: one orchestrator, or three cluster nodes each on its own store (and pool). */
async function openNodes(): Promise<void> {
  const first = await createOrchestrator({
    store: await openEngineStore(),
    maxConcurrentWorkflows: maxConcurrent,
    actions,
  });
  nodes = [first];
  orch = first;
  for (let i = 1; i < nodeCount; i++) {
    nodes.push(
      await createOrchestrator({ store: pgStore(), maxConcurrentWorkflows: maxConcurrent, actions }),
    );
  }
}

function storeExtra(): Record<string, unknown> {
  type Counted = Store & { commitStats?: { flushes: number; operations: number }; writeLanes?: number };
  const stores = nodes.map((n) => n.store as Counted).filter((s) => s.commitStats);
  const total = WARMUP + N + LOWLOAD_N;
  const out: Record<string, unknown> = {};
  if (stores.length > 0) {
    // Over all nodes; includes setup and housekeeping writes (definition, heartbeats, claims).
    const sum = (k: 'flushes' | 'operations') => stores.reduce((a, s) => a + s.commitStats![k], 0);
    out.commits_per_wf = Math.round((sum('flushes') / total) * 1000) / 1000;
    out.store_ops_per_wf = Math.round((sum('operations') / total) * 1000) / 1000;
  }
  if (typeof stores[0]?.writeLanes === 'number') out.pg_write_lanes = stores[0].writeLanes;
  // Where the executions ran (placement spreads them over the nodes), warm-up and low-load included.
  if (completions) out.finished_per_node = completions.finishedBy;
  return out;
}

const peer: Peer = {
  name: rowName,
  durable: storeKind === 'sqlite' || isPg,
  checkpoint: CHECKPOINT[storeKind],
  get notes() {
    return [
      `orchestrator createOrchestrator({store, maxConcurrentWorkflows: ${maxConcurrent}}), workflow of ${stepsPerWf} action steps (harness STEPS${stepsPerWf === 3 ? '' : ' cycled, last = STEPS[2]'})`,
      'run() = executeWorkflow (resolves once the execution is stored) + waitForCompletion; the last step result is committed with the terminal state',
      payloadText,
      nodeCount > 1
        ? `${nodeCount} orchestrator nodes in cluster mode, each with its own PostgresStore and pool on the same database and schema, all in this ONE Node.js process, sharing the 2 cores with PostgreSQL; submissions round-robin over the nodes (each keeps its execution while the nodes stay balanced, else places it on the least-loaded node); completion learned from the nodes' execution.finished events, the result from the last step's step.completed event`
        : '',
      fromDist
        ? `engine from ${process.env.BENCH_ENGINE_DIST ?? 'dist/'} (compiled JS)`
        : 'engine from src/ through tsx',
      sqliteDir ? `SQLite file in ${sqliteDir} (same disk as the peers)` : '',
    ]
      .filter(Boolean)
      .join('; ');
  },
  pgDatabases: isPg ? [new URL(pgUrl).pathname.slice(1)] : [],
  async setup() {
    await openNodes();
    if (!orch) throw new Error('no orchestrator');
    // synchronous_commit=off acknowledges commits before the WAL is flushed: not durable.
    if (isPg && info.pg_synchronous_commit === 'off') peer.durable = false;
    const poolSize = (orch.store as { poolSize?: unknown }).poolSize;
    if (typeof poolSize === 'number') peer.pgPool = poolSize * nodeCount;
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
    // The other nodes load the stored definition (as nodes of a cluster do), then wait for each
    // other: every node must see the others alive before placements spread.
    for (const node of nodes.slice(1)) await node.workflowEngine.getWorkflow(WORKFLOW);
    if (nodeCount > 1) {
      completions = new Completions<StepOutput>(nodes, lastStep);
      await waitForCluster(nodes);
    }
    mem.rss_mb_after_setup = mb(process.memoryUsage.rss());
    // The machine is shared: the 1-minute load average tells whether other work competed for the CPU.
    info.load1_start = Math.round(loadavg()[0]! * 100) / 100;
    rssSampler.start(20);
  },
  async run(_wfId: number, input: WorkflowInput): Promise<StepOutput> {
    if (completions) {
      const node = nodes[submitted++ % nodes.length]!;
      const id = await node.workflowEngine.executeWorkflow(
        WORKFLOW,
        pad ? { ...input, payload: pad } : input,
      );
      return completions.wait(id);
    }
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
    const { rss, peak } = rssSampler.stop();
    mem.rss_mb_after_run = mb(rss);
    mem.rss_mb_peak = mb(peak);
    mem.heap_used_mb_after_run = mb(process.memoryUsage().heapUsed);
    info.load1_end = Math.round(loadavg()[0]! * 100) / 100;
    Object.assign(info, storeExtra());
    await Promise.all(nodes.map((n) => n.close()));
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
    const schema = isPg ? splitSchema(pgUrl).schema : null;
    if (schema && !arg('pg-url')) await dropSchema(pgUrl, schema);
  },
  extra: () => ({
    engine_store: storeKind,
    ...(nodeCount > 1 ? { engine_nodes: nodeCount } : {}),
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
  if (isPg && (unavailable(error) || connectionRefused(error))) {
    const message = error instanceof Error ? error.message : String(error);
    const why = /not built/i.test(message) ? 'not built' : 'not reachable';
    process.stdout.write(`${JSON.stringify({ name: rowName, skipped: true, note: `${why}: ${message}` })}\n`);
    process.exit(0);
  }
  console.error(error);
  // A failed row reports the last lines of its stderr (`error_text`); a driver error's dump of its
  // fields would push the message out of them, so the cause comes last, on one line.
  console.error(`${rowName} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
