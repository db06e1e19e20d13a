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
import { ignoreClosedPipes } from '../src/cli/closed-pipes.js';
import {
  COMMON_OPTIONS,
  intOption as int,
  PG_OPTIONS,
  parseOptions,
  quietOption,
  readCommandLine,
  UsageError,
  WORKLOAD_OPTIONS,
  workloadFrom,
} from './lib/args.js';
import { warnIfStaleBuild } from './lib/build.js';
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
  type RowResult,
  resultsTable,
  rowFailure,
  usable,
} from './lib/format.js';
import { ensurePeersCopy, installPeers, resultsDir } from './lib/peers.js';
import { waitForQuiet } from './lib/quiet.js';
import { evaluateTargets, medianRow, type Round, ratio } from './lib/summary.js';

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
  --rows <list>    engine rows: memory,sqlite,sqlite-normal,postgres,postgres-3 (default: all five; '' for
                   none: the peers only);
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

// Piped into `head`: stop writing to the closed pipe instead of crashing on EPIPE.
ignoreClosedPipes();
const { values, workload, listedRows, rounds, quiet, quietTimeout, peerTimeoutS, rowArgs } = readCommandLine(
  'bench/compare.ts',
  () => {
    const { values } = parseOptions({
      options: {
        ...COMMON_OPTIONS,
        ...WORKLOAD_OPTIONS,
        rows: { type: 'string' },
        ...PG_OPTIONS,
        peers: { type: 'string' },
        floor: { type: 'string' },
        runs: { type: 'string' },
        'peer-timeout': { type: 'string' },
        'quiet-timeout': { type: 'string' },
      },
    });
    if (values.help) {
      console.log(HELP);
      process.exit(0);
    }
    if (values.floor !== undefined && values.floor !== 'on' && values.floor !== 'off') {
      throw new UsageError(`--floor: expected on or off, got ${JSON.stringify(values.floor)}`);
    }
    return {
      values,
      // The peers run the harness's own workload only: 3 steps, its small input.
      workload: workloadFrom({ ...values, steps: undefined, payload: undefined }) as Workload,
      listedRows: parseRows(values.rows ?? ALL_ROWS, { allowNone: true }),
      rounds: int('runs', values.runs, 1),
      quiet: quietOption(values.quiet, 25),
      quietTimeout: int('quiet-timeout', values['quiet-timeout'], 180, 0),
      peerTimeoutS: int('peer-timeout', values['peer-timeout'], 1200),
      rowArgs: pgArgs(values),
    };
  },
);
// The floor row follows the SQLite row (unless listed already or turned off).
const engineRows: RowName[] =
  values.floor !== 'off' && listedRows.includes('sqlite') && !listedRows.includes('sqlite-floor')
    ? [...listedRows, 'sqlite-floor']
    : listedRows;
const log = (msg: string) =>
  process.stderr.write(`[compare ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// The peer rows asked for are checked against run-all.sh's list before the copy's `npm ci` (a
// minute or more, the first time): a misspelt one was refused only after it.
const dir = ensurePeersCopy({ install: false, log });
warnIfStaleBuild(log);
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
readCommandLine('bench/compare.ts', () => {
  for (const p of peers) {
    if (!available.includes(p))
      throw new UsageError(
        `--peers: unknown peer row ${JSON.stringify(p)}: run-all.sh lists ${available.join(', ')}`,
      );
  }
});
if (peers.length > 0) installPeers(dir, log);

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

/**
 * Runs one peer row through run-all.sh and returns its JSON line; when run-all.sh printed none for
 * the row (it stopped before or during it: a server that did not start, a setup step failing under
 * `set -e`), a failed record with its exit code and last stderr lines.
 */
function runPeer(id: string): Promise<RowResult> {
  const peerResults = join(resultsDir, 'peers');
  mkdirSync(peerResults, { recursive: true });
  const before = new Set(readdirSync(peerResults));
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['run-all.sh'], {
      cwd: dir,
      env: {
        ...process.env,
        PEERS: id,
        BENCH_N: String(workload.n),
        BENCH_C: String(workload.c),
        BENCH_LOWLOAD_N: String(workload.lowload),
        BENCH_WARMUP: String(workload.warmup),
        BENCH_RESULTS_DIR: peerResults,
        BENCH_PEER_TIMEOUT: String(peerTimeoutS),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-100_000);
      if (values.verbose || /\[run-all /.test(d)) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const file = readdirSync(peerResults)
        .filter((f) => f.startsWith('run-') && f.endsWith('.jsonl') && !before.has(f))
        .sort()
        .pop();
      const lines = file ? readFileSync(join(peerResults, file), 'utf8').split('\n').filter(Boolean) : [];
      const found = lines.map((l) => JSON.parse(l) as RowResult).find((r) => (r.row ?? r.name) === id);
      resolve(
        found ?? {
          row: id,
          name: id,
          error: `run-all.sh printed no result for the row (exit ${code ?? signal})`,
          error_text: stderr.split('\n').filter(Boolean).slice(-15).join('\n'),
        },
      );
    });
  });
}

// ---------------------------------------------------------------- run
/** Waits for a quiet machine before a row (unless `--quiet off`); returns the CPU use it started under. */
async function beforeRow(): Promise<number | null | undefined> {
  return quiet === null ? undefined : waitForQuiet(quiet, quietTimeout, log);
}
const out = resultsFile('compare');
const redisAofWasUp = await portOpen(6380);
const roundsData: Round[] = [];
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
      args: rowArgs,
      beforeRow: quiet === null ? undefined : () => waitForQuiet(quiet, quietTimeout, log),
      onResult: (r) => {
        log(
          `${r.row}: ${r.skipped ? `skipped (${r.note})` : r.error ? `FAILED ${r.error}` : `${fmt(r.throughput)} wf/s, low-load p50 ${fmt(r.lowload_p50_ms, 3)} ms${r.errors ? `, ${rowFailure(r)}` : ''}`}`,
        );
        record(r);
      },
    });
    if (peers.length > 0) log(`round ${round}: peer rows (run-all.sh, one row at a time)`);
    for (const id of peers) {
      const busy = await beforeRow();
      const r = await runPeer(id);
      if (busy !== undefined) r.cpu_busy_before = busy === null ? null : Math.round(busy * 1000) / 1000;
      if (r.error) log(`${id}: FAILED ${r.error}`);
      record(r);
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

// Only the targets whose rows this run asked for.
const rowId = (name: RowName): string =>
  name in ENGINE_ROWS
    ? ENGINE_ROWS[name as keyof typeof ENGINE_ROWS].id
    : FLOOR_ROWS[name as keyof typeof FLOOR_ROWS].id;
const targets = evaluateTargets(roundsData, new Set([...engineRows.map(rowId), ...peers]));

const ratios: Record<string, Record<string, { throughput: number | null; lowload_p50: number | null }>> = {};
for (const e of engineIds) {
  ratios[e] = {};
  for (const p of peerIds) {
    ratios[e]![p] = {
      throughput: ratio(roundsData, e, p, 'throughput'),
      lowload_p50: ratio(roundsData, e, p, 'lowload_p50_ms'),
    };
  }
}

if (values.json) {
  console.log(JSON.stringify({ summary: { workload, rounds, ratios, targets, results_file: out } }));
} else {
  const medians = rowIds.map((id) => medianRow(roundsData, id));
  console.log(
    `\n## Rows (N=${workload.n}, C=${workload.c}, low-load ${workload.lowload}${rounds > 1 ? `; median of ${rounds} rounds` : ''})\n`,
  );
  console.log(resultsTable(medians));
  const live = (ids: string[]) => ids.filter((id) => roundsData.some((m) => usable(m.get(id))));
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
// A row of this repository that crashed or whose workflows failed fails the run (a peer's does not).
const failed = [...roundsData].some((m) =>
  [...m.values()].some(
    (r) => (r.row?.startsWith('engine-') || r.row === 'sqlite-floor') && rowFailure(r) !== null,
  ),
);
process.exit(failed ? 1 : 0);
