/**
 * `npm run bench:scale`: throughput and memory of the SQLite row (synchronous=FULL) as the run grows,
 * and with heavier workflows.
 *
 *   npx tsx bench/scaling.ts            # N = 1,000 / 10,000 / 100,000 (C=100), 10 steps and 10 KB at N=10,000
 *   npx tsx bench/scaling.ts --quick    # N = 500 / 2,000 / 5,000, 10 steps and 10 KB at N=2,000
 *   npx tsx bench/scaling.ts --store sqlite-normal --c 50
 *
 * Each case runs in its own child process (fresh heap). RSS is the process's resident set after the
 * run and the peak sampled every 20 ms during it; the memory target is judged on the peak:
 * RSS(largest N) ÷ RSS(middle N) ≤ 1.5×, i.e. memory must not grow with the number of executions
 * that already finished. Lines go to `bench/results/scaling-<ts>.jsonl`.
 * @module
 */
import { appendFileSync } from 'node:fs';
import { ignoreClosedPipes } from '../src/cli/closed-pipes.js';
import { COMMON_OPTIONS, intOption as int, parseOptions, quietOption, readCommandLine } from './lib/args.js';
import { warnIfStaleBuild } from './lib/build.js';
import { parseEngineRow, resultsFile, runEngineRow, type Workload } from './lib/engine-rows.js';
import { fmt, fmtRatio, markdownTable, measured, type RowResult, rowFailure, usable } from './lib/format.js';
import { ensurePeersCopy } from './lib/peers.js';
import { waitForQuiet } from './lib/quiet.js';

const HELP = `usage: npx tsx bench/scaling.ts [options]
  --quick          smaller sizes (N = 500 / 2,000 / 5,000; heavy cases at 2,000)
  --store <row>    sqlite (default), sqlite-normal, memory, postgres or postgres-3
  --c <k>          workflows in flight (default 100)
  --lowload <k>    low-load workflows per case (default 100)
  --warmup <k>     warm-up workflows per case (default 100)
  --json           print JSON lines only
  --quiet <pct>    before each case, wait until the machine's CPU use is below pct% (default 25; "off")
  --quiet-timeout <s>  longest wait per case (default 180)`;

// Piped into `head`: stop writing to the closed pipe instead of crashing on EPIPE.
ignoreClosedPipes();
const { values, row, base, quiet, quietTimeout } = readCommandLine('bench/scaling.ts', () => {
  const { values } = parseOptions({
    options: {
      ...COMMON_OPTIONS,
      quick: { type: 'boolean' },
      store: { type: 'string' },
      c: { type: 'string' },
      lowload: { type: 'string' },
      warmup: { type: 'string' },
      'quiet-timeout': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  return {
    values,
    row: parseEngineRow(values.store ?? 'sqlite', 'store'),
    base: {
      c: int('c', values.c, 100),
      lowload: int('lowload', values.lowload, 100, 0),
      warmup: int('warmup', values.warmup, 100, 0),
    },
    quiet: quietOption(values.quiet, 25),
    quietTimeout: int('quiet-timeout', values['quiet-timeout'], 180, 0),
  };
});
const sizes = values.quick ? [500, 2_000, 5_000] : [1_000, 10_000, 100_000];
const heavyN = sizes[1]!;

interface Case {
  label: string;
  w: Workload;
}
const cases: Case[] = [
  ...sizes.map((n) => ({ label: `N=${n.toLocaleString('en-US')}`, w: { ...base, n, steps: 3, payload: 0 } })),
  {
    label: `10 steps, N=${heavyN.toLocaleString('en-US')}`,
    w: { ...base, n: heavyN, steps: 10, payload: 0 },
  },
  {
    label: `10 KB payload, N=${heavyN.toLocaleString('en-US')}`,
    w: { ...base, n: heavyN, steps: 3, payload: 10 * 1024 },
  },
];

ensurePeersCopy({ install: false });
const out = resultsFile('scaling');
const log = (msg: string) =>
  process.stderr.write(`[scaling ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
warnIfStaleBuild(log);
const results: Array<{ c: Case; r: RowResult }> = [];
for (const c of cases) {
  const busy = quiet === null ? undefined : await waitForQuiet(quiet, quietTimeout, log);
  log(`${row} ${c.label}`);
  const r = await runEngineRow(row, c.w, { verbose: values.verbose, timeoutS: 3600 });
  if (busy !== undefined) r.cpu_busy_before = busy === null ? null : Math.round(busy * 1000) / 1000;
  const line = JSON.stringify({ ...r, case: c.label });
  appendFileSync(out, `${line}\n`);
  if (values.json) console.log(line);
  const failure = rowFailure(r);
  if (failure) log(`${c.label} FAILED: ${failure}`);
  results.push({ c, r });
}

const num = (r: RowResult, k: string) => {
  const v = r.extra?.[k];
  return typeof v === 'number' ? v : null;
};
const byN = (n: number) => results.find((x) => x.c.w.n === n && x.c.w.steps === 3 && x.c.w.payload === 0)?.r;
const big = byN(sizes[2]!);
const mid = byN(sizes[1]!);
// Only cases whose every workflow completed: a run that fails its workflows keeps fewer in memory.
const rssRatio = (k: string) =>
  usable(big) && usable(mid) && num(mid, k) && num(big, k) ? num(big, k)! / num(mid, k)! : null;
const peakRatio = rssRatio('rss_mb_peak');
const afterRatio = rssRatio('rss_mb_after_run');

if (values.json) {
  console.log(JSON.stringify({ summary: { rss_peak_ratio: peakRatio, rss_after_ratio: afterRatio, out } }));
} else {
  console.log(`\n## Scaling: engine ${row}, C=${base.c}\n`);
  console.log(
    markdownTable(
      [
        'case',
        'wf/s',
        'steps/s',
        'wall s',
        'p50 ms',
        'p99 ms',
        'low-load p50 ms',
        'RSS MB after setup',
        'RSS MB after run',
        'RSS MB peak',
        'heap MB after run',
        'commits/wf',
        'errors',
      ],
      results.map(({ c, r }) =>
        measured(r)
          ? [
              c.label,
              fmt(r.throughput),
              fmt(r.throughput * c.w.steps),
              fmt(r.wall_s, 2),
              fmt(r.p50_ms),
              fmt(r.p99_ms),
              fmt(r.lowload_p50_ms, 3),
              fmt(num(r, 'rss_mb_after_setup')),
              fmt(num(r, 'rss_mb_after_run')),
              fmt(num(r, 'rss_mb_peak')),
              fmt(num(r, 'heap_used_mb_after_run')),
              fmt(num(r, 'commits_per_wf'), 2),
              String(r.errors),
            ]
          : [c.label, r.skipped ? `skipped: ${r.note}` : `FAILED: ${r.error}`, ...Array(11).fill('')],
      ),
    ),
  );
  const label = `RSS N=${sizes[2]!.toLocaleString('en-US')} ÷ N=${sizes[1]!.toLocaleString('en-US')}`;
  console.log(`\n${label}: peak ${fmtRatio(peakRatio)}, after run ${fmtRatio(afterRatio)}`);
  console.log(
    `target peak RSS ratio ≤ 1.5×: ${peakRatio === null ? 'n/a' : peakRatio <= 1.5 ? 'PASS' : 'FAIL'} (${fmtRatio(peakRatio)})`,
  );
  console.log(`\nJSON lines: ${out}`);
}
process.exit(results.some(({ r }) => rowFailure(r) !== null) ? 1 : 0);
