/**
 * `npm run bench`: the engine on the peer harness's workload, one child process per row.
 *
 *   npx tsx bench/run.ts                                  # memory, sqlite, sqlite-normal, postgres, postgres-3; N=2000 C=100 low-load 200
 *   npx tsx bench/run.ts --rows postgres,postgres-3 --pg-lanes 1   # PostgreSQL with one write lane
 *   npx tsx bench/run.ts --n 10000 --c 50 --rows sqlite
 *   npx tsx bench/run.ts --steps 10 --payload 10kb --rows sqlite
 *   npx tsx bench/run.ts --rows sqlite --cpu-prof         # V8 profile per row in bench/results/profiles/
 *
 * Prints each row's JSON line (the harness's format, plus `row`) and then a markdown table.
 * `--json`: only the JSON lines. `--out <file>`: also append them to a file (`--save`: to
 * `bench/results/run-<ts>.jsonl`). A row that cannot run here (PostgreSQL store not built, server not
 * reachable) is reported as skipped; a row that crashes, or any of whose workflows fails, makes the
 * exit code 1.
 * @module
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ignoreClosedPipes } from '../src/cli/closed-pipes.js';
import {
  COMMON_OPTIONS,
  intOption as int,
  outFile,
  PG_OPTIONS,
  parseOptions,
  quietOption,
  readCommandLine,
  WORKLOAD_OPTIONS,
  workloadFrom,
} from './lib/args.js';
import { warnIfStaleBuild } from './lib/build.js';
import { ALL_ROWS, parseRows, pgArgs, resultsFile, runEngineRows, type Workload } from './lib/engine-rows.js';
import { type RowResult, resultsTable, rowFailure } from './lib/format.js';
import { ensurePeersCopy, resultsDir } from './lib/peers.js';
import { waitForQuiet } from './lib/quiet.js';

const HELP = `usage: npx tsx bench/run.ts [options]
  --n <k>          workflows in the throughput phase (default 2000)
  --c <k>          workflows in flight (default 100)
  --lowload <k>    workflows one after the other (default 200)
  --warmup <k>     warm-up workflows, not measured (default 100)
  --steps <k>      steps per workflow (default 3)
  --payload <size> bytes carried by the input and each step output: small (default), 1024, 10kb
  --rows <list>    memory,sqlite,sqlite-normal,postgres,postgres-3 (default: all five; postgres-3 = three
                   cluster nodes in this process on one schema); sqlite-floor: not the engine, the
                   k + 1 fsynced SQLite commits per k-step workflow SPEC §6 requires and nothing else
  --pg-url <url>   PostgreSQL store URL (default postgres://postgres@127.0.0.1:5432/bench_engine?schema=bench_<pid>)
  --pg-pool <k>    PostgresStore poolSize per node (default: the store's, 10)
  --pg-lanes <k>   PostgresStore writeLanes per node (default: the store's)
  --json           print only the JSON lines
  --out <file>     also append the JSON lines to <file>; --save: to bench/results/run-<ts>.jsonl
  --cpu-prof       write a V8 CPU profile per row to bench/results/profiles/
  --timeout <s>    per row (default 1200)
  --verbose        pass each row's stderr through
  --quiet <pct>    before each row, wait (up to 180 s) until the machine's CPU use is below pct%
  --parallel       run the rows at the same time (smoke tests only: the numbers are not comparable)`;

// Piped into `head`: stop writing to the closed pipe instead of crashing on EPIPE.
ignoreClosedPipes();
const { values, workload, rows, out, quiet, timeoutS, rowArgs } = readCommandLine('bench/run.ts', () => {
  const { values } = parseOptions({
    options: {
      ...COMMON_OPTIONS,
      ...WORKLOAD_OPTIONS,
      steps: { type: 'string' },
      payload: { type: 'string' },
      rows: { type: 'string' },
      ...PG_OPTIONS,
      out: { type: 'string' },
      save: { type: 'boolean' },
      'cpu-prof': { type: 'boolean' },
      timeout: { type: 'string' },
      parallel: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  return {
    values,
    workload: workloadFrom(values) as Workload,
    rows: parseRows(values.rows ?? ALL_ROWS),
    out: outFile(values.out) ?? (values.save ? resultsFile('run') : undefined),
    quiet: quietOption(values.quiet, null),
    timeoutS: int('timeout', values.timeout, 1200),
    rowArgs: pgArgs(values),
  };
});

ensurePeersCopy({ install: false });
warnIfStaleBuild((m) => process.stderr.write(`[bench] ${m}\n`));
process.stderr.write(
  `[bench] rows ${rows.join(', ')}: N=${workload.n} C=${workload.c} low-load=${workload.lowload} warm-up=${workload.warmup} steps=${workload.steps} payload=${workload.payload} B\n`,
);

const results: RowResult[] = await runEngineRows(rows, workload, {
  parallel: values.parallel,
  beforeRow:
    quiet === null
      ? undefined
      : () => waitForQuiet(quiet, 180, (m) => process.stderr.write(`[bench] ${m}\n`)),
  verbose: values.verbose,
  timeoutS,
  cpuProfDir: values['cpu-prof'] ? join(resultsDir, 'profiles') : undefined,
  args: rowArgs,
  onResult: (r) => {
    const line = JSON.stringify(r);
    console.log(line);
    if (out) appendFileSync(out, `${line}\n`);
    const failure = rowFailure(r);
    if (failure) process.stderr.write(`[bench] ${r.row} FAILED: ${failure}\n`);
  },
});

if (!values.json) {
  console.log('');
  console.log(resultsTable(results));
}
if (out) process.stderr.write(`[bench] results appended to ${out}\n`);
process.exit(results.some((r) => rowFailure(r) !== null) ? 1 : 0);
