/**
 * `npm run bench:compare`: the engine rows and the peer rows (the shared peer harness's
 * `run-all.sh`) in one run, on the same N / C / low-load, with ratios and the issue's targets.
 *
 *   npx tsx bench/compare.ts                              # default engine rows and peers, N=2000 C=100 low-load 200
 *   npx tsx bench/compare.ts --runs 3                     # medians over 3 rounds (ratios taken within each round)
 *   npx tsx bench/compare.ts --peers sqlite-raw-full,bullmq-checkpoint --rows sqlite
 *   npx tsx bench/compare.ts --peers all                  # every row run-all.sh lists
 *
 * The peers folder is copied to a writable cache (see `lib/peers.ts`) and `npm ci` runs there once.
 * `run-all.sh` starts what its rows need on 127.0.0.1 (PostgreSQL role `bench`, Redis 6379 and the
 * AOF Redis 6380); a Redis 6380 it started for this run is shut down afterwards.
 * Every JSON line is appended to `bench/results/compare-<ts>.jsonl` (with `round`), the peers' own
 * files go to `bench/results/peers/`.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { intOption as int, PG_OPTIONS, WORKLOAD_OPTIONS, workloadFrom } from './lib/args.js';
import {
  ALL_ROWS,
  ENGINE_ROWS,
  FLOOR_ROWS,
  parseRows,
  pgArgs,
  type RowName,
  resultsFile,
  runEngineRows,
  type Workload,
} from './lib/engine-rows.js';
import {
  fmt,
  fmtRatio,
  markdownTable,
  measured,
  median,
  type RowResult,
  resultsTable,
} from './lib/format.js';
import { ensurePeersCopy, resultsDir } from './lib/peers.js';
import { waitForQuiet } from './lib/quiet.js';

const DEFAULT_PEERS = [
  'baseline-inmemory',
  'sqlite-raw-full',
  'sqlite-raw-normal',
  'postgres-raw',
  'bullmq-checkpoint',
  'dbos',
  'pg-boss-notify',
  'graphile-worker',
];

const HELP = `usage: npx tsx bench/compare.ts [options]
  --n <k> --c <k> --lowload <k> --warmup <k>   workload (default 2000 / 100 / 200 / 100), same for every row
  --rows <list>    engine rows: memory,sqlite,sqlite-normal,postgres,postgres-3 (default: all five);
                   sqlite-floor (the yardstick below) may be listed too
  --pg-pool <k> --pg-lanes <k>   PostgresStore poolSize / writeLanes of the postgres rows (default: the store's)
  --peers <list>   peer row ids of run-all.sh, or "all" (default: ${DEFAULT_PEERS.join(',')})
  --runs <k>       rounds; tables show medians, ratios are taken within each round (default 1)
  --floor on|off   also run the sqlite-floor row when the sqlite row runs (default on): the k + 1
                   fsynced commits SPEC §6 requires per workflow and nothing else, the low-load floor
  --json           print JSON lines only (rows, then one {"summary": ...} line)
  --peer-timeout <s>  per peer row (default 1200)
  --quiet <pct>    before each row, wait until the machine's CPU use is below pct% (default 25; "off")
  --quiet-timeout <s>  longest wait per row (default 180); the CPU use at the start is kept as cpu_busy_before`;

const { values } = parseArgs({
  options: {
    ...WORKLOAD_OPTIONS,
    rows: { type: 'string' },
    ...PG_OPTIONS,
    peers: { type: 'string' },
    floor: { type: 'string' },
    runs: { type: 'string' },
    json: { type: 'boolean' },
    'peer-timeout': { type: 'string' },
    quiet: { type: 'string' },
    'quiet-timeout': { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

// The peers run the harness's own workload only: 3 steps, its small input.
const workload: Workload = workloadFrom({ ...values, steps: undefined, payload: undefined });
const listedRows: RowName[] = parseRows(values.rows ?? ALL_ROWS);
const rounds = int('runs', values.runs, 1);
if (values.floor !== undefined && values.floor !== 'on' && values.floor !== 'off') {
  throw new Error(`--floor: expected on or off, got ${JSON.stringify(values.floor)}`);
}
// The floor row follows the SQLite row (unless listed already or turned off).
const engineRows: RowName[] =
  values.floor !== 'off' && listedRows.includes('sqlite') && !listedRows.includes('sqlite-floor')
    ? [...listedRows, 'sqlite-floor']
    : listedRows;
const log = (msg: string) =>
  process.stderr.write(`[compare ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const dir = ensurePeersCopy({ install: true, log });
const available = spawnSync('bash', ['run-all.sh', '--list'], { cwd: dir, encoding: 'utf8' })
  .stdout.split('\n')
  .map((s) => s.trim())
  .filter(Boolean);
const peers =
  values.peers === 'all'
    ? available
    : (values.peers ?? DEFAULT_PEERS.join(','))
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
for (const p of peers) {
  if (!available.includes(p))
    throw new Error(`unknown peer row ${p}: run-all.sh lists ${available.join(', ')}`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Runs the peer rows through run-all.sh and returns its JSON lines. */
function runPeers(ids: string[]): Promise<RowResult[]> {
  const peerResults = join(resultsDir, 'peers');
  mkdirSync(peerResults, { recursive: true });
  const before = new Set(readdirSync(peerResults));
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['run-all.sh'], {
      cwd: dir,
      env: {
        ...process.env,
        PEERS: ids.join(' '),
        BENCH_N: String(workload.n),
        BENCH_C: String(workload.c),
        BENCH_LOWLOAD_N: String(workload.lowload),
        BENCH_WARMUP: String(workload.warmup),
        BENCH_RESULTS_DIR: peerResults,
        BENCH_PEER_TIMEOUT: values['peer-timeout'] ?? '1200',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (values.verbose || /\[run-all /.test(d)) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const file = readdirSync(peerResults)
        .filter((f) => f.startsWith('run-') && f.endsWith('.jsonl') && !before.has(f))
        .sort()
        .pop();
      if (!file) {
        reject(new Error(`run-all.sh wrote no results (exit ${code})`));
        return;
      }
      const lines = readFileSync(join(peerResults, file), 'utf8').split('\n').filter(Boolean);
      resolve(lines.map((l) => JSON.parse(l) as RowResult));
    });
  });
}

// ---------------------------------------------------------------- run
const quiet = values.quiet === 'off' ? null : int('quiet', values.quiet, 25) / 100;
const quietTimeout = int('quiet-timeout', values['quiet-timeout'], 180, 0);
/** Waits for a quiet machine before a row (unless `--quiet off`); returns the CPU use it started under. */
async function beforeRow(): Promise<number | null | undefined> {
  return quiet === null ? undefined : waitForQuiet(quiet, quietTimeout, log);
}
const out = resultsFile('compare');
const redisAofWasUp = await portOpen(6380);
const roundsData: Array<Map<string, RowResult>> = [];
log(
  `engine rows ${engineRows.join(', ')}; peers ${peers.join(', ')}; N=${workload.n} C=${workload.c} low-load=${workload.lowload} warm-up=${workload.warmup}; ${rounds} round(s)`,
);
try {
  for (let round = 1; round <= rounds; round++) {
    const byRow = new Map<string, RowResult>();
    const record = (r: RowResult) => {
      byRow.set(r.row ?? r.name, r);
      const line = JSON.stringify({ ...r, round });
      appendFileSync(out, `${line}\n`);
      if (values.json) console.log(line);
    };
    const load = loadavg().map((x) => Math.round(x * 100) / 100);
    appendFileSync(out, `${JSON.stringify({ round, loadavg: load, ts: new Date().toISOString() })}\n`);
    log(`round ${round}: engine rows (load average ${load.join(' ')})`);
    await runEngineRows(engineRows, workload, {
      args: pgArgs(values),
      beforeRow: quiet === null ? undefined : () => waitForQuiet(quiet, quietTimeout, log),
      onResult: (r) => {
        log(
          `${r.row}: ${r.skipped ? `skipped (${r.note})` : r.error ? `FAILED ${r.error}` : `${fmt(r.throughput)} wf/s, low-load p50 ${fmt(r.lowload_p50_ms, 3)} ms`}`,
        );
        record(r);
      },
    });
    if (peers.length > 0) log(`round ${round}: peer rows (run-all.sh, one row at a time)`);
    for (const id of peers) {
      const busy = await beforeRow();
      for (const r of await runPeers([id])) {
        if (busy !== undefined) r.cpu_busy_before = busy === null ? null : Math.round(busy * 1000) / 1000;
        record(r);
      }
    }
    roundsData.push(byRow);
  }
} finally {
  if (!redisAofWasUp && (await portOpen(6380))) {
    // run-all.sh always starts the AOF Redis; stop it again if this run started it.
    spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6380', 'shutdown', 'nosave'], { stdio: 'ignore' });
  }
}

// ---------------------------------------------------------------- summary
const rowIds = [...new Set(roundsData.flatMap((m) => [...m.keys()]))];
const engineIds = rowIds.filter((id) => id.startsWith('engine-'));
const peerIds = rowIds.filter((id) => !id.startsWith('engine-'));

/** The median row over rounds (or the failed/skipped record when no round measured it). */
function medianRow(id: string): RowResult {
  const list = roundsData.map((m) => m.get(id)).filter((r): r is RowResult => !!r);
  const ok = list.filter(measured);
  if (ok.length === 0) return list[0]!;
  if (ok.length === 1) return ok[0]!;
  const m = (k: keyof RowResult) => median(ok.map((r) => r[k] as number | null | undefined)) ?? undefined;
  const mx = (k: string) => median(ok.map((r) => r.extra?.[k] as number | undefined)) ?? undefined;
  return {
    ...ok[0]!,
    throughput: m('throughput')!,
    wall_s: m('wall_s'),
    p50_ms: m('p50_ms'),
    p95_ms: m('p95_ms'),
    p99_ms: m('p99_ms'),
    lowload_p50_ms: m('lowload_p50_ms'),
    lowload_p95_ms: m('lowload_p95_ms'),
    lowload_p99_ms: m('lowload_p99_ms'),
    errors: ok.reduce((s, r) => s + (r.errors ?? 0), 0),
    extra: {
      ...ok[0]!.extra,
      rss_mb_after_run: mx('rss_mb_after_run'),
      rss_mb_peak: mx('rss_mb_peak'),
      commits_per_wf: mx('commits_per_wf'),
      pg_xacts_per_wf: mx('pg_xacts_per_wf'),
      throughput_runs: ok.map((r) => r.throughput),
    },
  };
}

/** Median over rounds of a ratio computed within each round. */
function ratio(engineId: string, peerId: string, key: 'throughput' | 'lowload_p50_ms'): number | null {
  return median(
    roundsData.map((m) => {
      const e = m.get(engineId);
      const p = m.get(peerId);
      if (!measured(e) || !measured(p)) return null;
      const a = e[key];
      const b = p[key];
      return typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
    }),
  );
}

interface Target {
  target: string;
  measured: string;
  value: number | null;
  pass: boolean | null;
  /** The rows it compares (engine row, then the peer row if any). */
  rows: string[];
}

function target(
  label: string,
  rows: string[],
  value: number | null,
  ok: (v: number) => boolean,
  show: (v: number) => string,
) {
  return {
    target: label,
    rows,
    value,
    measured: value === null ? 'n/a (row missing or failed)' : show(value),
    pass: value === null ? null : ok(value),
  } satisfies Target;
}

/** A throughput target: engine row ÷ peer row ≥ `min`. */
function ratioTarget(label: string, engine: string, peer: string, min: number): Target {
  return target(label, [engine, peer], ratio(engine, peer, 'throughput'), (v) => v >= min, fmtRatio);
}

const sqliteLow = median(roundsData.map((m) => m.get('engine-sqlite')?.lowload_p50_ms ?? null));
const floorLow = median(roundsData.map((m) => m.get('sqlite-floor')?.lowload_p50_ms ?? null));
const allTargets: Target[] = [
  ratioTarget('SQLite durable throughput ≥ 3× sqlite-raw (sync=FULL)', 'engine-sqlite', 'sqlite-raw-full', 3),
  ratioTarget('SQLite durable throughput ≥ 4× bullmq-checkpoint', 'engine-sqlite', 'bullmq-checkpoint', 4),
  target(
    'memory throughput ≥ 30% of baseline-inmemory',
    ['engine-memory', 'baseline-inmemory'],
    ratio('engine-memory', 'baseline-inmemory', 'throughput'),
    (v) => v >= 0.3,
    (v) => `${(v * 100).toFixed(1)}% (${fmtRatio(v)})`,
  ),
  target(
    'low-load p50 on SQLite ≤ 0.5 ms',
    ['engine-sqlite'],
    sqliteLow,
    (v) => v <= 0.5,
    (v) =>
      `${v.toFixed(3)} ms${floorLow === null ? '' : ` (floor: SPEC §6's 4 fsynced commits alone take ${floorLow.toFixed(3)} ms here${floorLow > 0.5 ? ', so ≤ 0.5 ms cannot be met on this disk' : ''})`}`,
  ),
  ...(['engine-postgres', 'engine-postgres-3'] as const).flatMap((row) => {
    const label = row === 'engine-postgres' ? 'PostgreSQL, 1 node' : 'PostgreSQL, 3 nodes';
    return [
      ratioTarget(
        `${label}: durable throughput ≥ 2× postgres-raw (one commit per step)`,
        row,
        'postgres-raw',
        2,
      ),
      ratioTarget(`${label}: durable throughput ≥ 10× dbos`, row, 'dbos', 10),
    ];
  }),
];
// Only the targets whose rows this run asked for.
const rowId = (name: RowName): string =>
  name in ENGINE_ROWS
    ? ENGINE_ROWS[name as keyof typeof ENGINE_ROWS].id
    : FLOOR_ROWS[name as keyof typeof FLOOR_ROWS].id;
const requested = new Set([...engineRows.map(rowId), ...peers]);
const targets = allTargets.filter((t) => t.rows.every((row) => requested.has(row)));

const ratios: Record<string, Record<string, { throughput: number | null; lowload_p50: number | null }>> = {};
for (const e of engineIds) {
  ratios[e] = {};
  for (const p of peerIds) {
    ratios[e]![p] = {
      throughput: ratio(e, p, 'throughput'),
      lowload_p50: ratio(e, p, 'lowload_p50_ms'),
    };
  }
}

if (values.json) {
  console.log(JSON.stringify({ summary: { workload, rounds, ratios, targets, results_file: out } }));
} else {
  const medians = rowIds.map(medianRow);
  console.log(
    `\n## Rows (N=${workload.n}, C=${workload.c}, low-load ${workload.lowload}${rounds > 1 ? `; median of ${rounds} rounds` : ''})\n`,
  );
  console.log(resultsTable(medians));
  const live = (ids: string[]) => ids.filter((id) => roundsData.some((m) => measured(m.get(id))));
  const eIds = live(engineIds);
  const pIds = live(peerIds);
  if (eIds.length > 0 && pIds.length > 0) {
    console.log('\n## Throughput ratio: engine wf/s ÷ peer wf/s (higher is better)\n');
    console.log(
      markdownTable(
        ['engine row', ...pIds],
        eIds.map((e) => [e, ...pIds.map((p) => fmtRatio(ratios[e]![p]!.throughput))]),
      ),
    );
    console.log('\n## Low-load p50 ratio: engine p50 ÷ peer p50 (lower is better)\n');
    console.log(
      markdownTable(
        ['engine row', ...pIds],
        eIds.map((e) => [e, ...pIds.map((p) => fmtRatio(ratios[e]![p]!.lowload_p50))]),
      ),
    );
  }
  console.log('\n## Targets\n');
  console.log(
    markdownTable(
      ['target', 'measured', 'result'],
      targets.map((t) => [t.target, t.measured, t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL']),
    ),
  );
  console.log(`\nJSON lines: ${out}`);
}
const failed = [...roundsData].some((m) =>
  [...m.values()].some((r) => r.error && (r.row?.startsWith('engine-') || r.row === 'sqlite-floor')),
);
process.exit(failed ? 1 : 0);
