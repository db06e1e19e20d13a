/**
 * Top self-time functions of a V8 CPU profile (as written by `npx tsx bench/run.ts --cpu-prof`).
 *
 *   npx tsx bench/profile-top.ts bench/results/profiles/engine-sqlite-<ts>/CPU.*.cpuprofile [--top 30]
 *
 * `--cpu-prof` writes one folder per row and one profile per thread in it (tsx's loader thread too);
 * the main thread's is the largest file.
 *
 * Self time is attributed from the sample timeline. Prints function, file:line, self ms and % of the
 * busy (non-idle) time, then the same grouped by file. Under tsx, locations of TypeScript files show
 * line 1 (no source maps in the profile): the function names identify them.
 * @module
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ignoreClosedPipes } from '../src/cli/closed-pipes.js';
import { intOption, parseOptions, readCommandLine, UsageError } from './lib/args.js';
import { markdownTable } from './lib/format.js';
import { repoRoot } from './lib/peers.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const USAGE = 'usage: npx tsx bench/profile-top.ts <file.cpuprofile>... [--top 30]';
const HELP = `${USAGE}

Top self-time functions of V8 CPU profiles (npm run bench -- --cpu-prof writes them under
bench/results/profiles/), then the same grouped by file.

  --top <n>     functions listed per profile (default 30)
  -h, --help    this text`;
// Piped into `head`: stop writing to the closed pipe instead of crashing on EPIPE.
ignoreClosedPipes();
const { positionals, top } = readCommandLine('bench/profile-top.ts', () => {
  const { values, positionals } = parseOptions({
    options: { top: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  if (positionals.length === 0) throw new UsageError(`expected a profile file: ${USAGE}`);
  return { positionals, top: intOption('top', values.top, 30) };
});

/** The profile in `file`, or a {@link UsageError} saying why it cannot be read as one. */
function readProfile(file: string): Profile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const p = data as Partial<Profile> | null;
  if (!p || !Array.isArray(p.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas)) {
    throw new UsageError(`${file} is not a V8 CPU profile (no nodes, samples and timeDeltas arrays)`);
  }
  return p as Profile;
}

function where(url: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const rel = relative(repoRoot, path);
  return rel.startsWith('..') ? path : rel;
}

for (const file of positionals) {
  const profile = readCommandLine('bench/profile-top.ts', () => readProfile(file));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const byFn = new Map<string, { name: string; loc: string; ms: number }>();
  const byFile = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    const loc = `${where(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    const key = `${name}@${loc}`;
    const e = byFn.get(key) ?? { name, loc, ms: 0 };
    e.ms += ms;
    byFn.set(key, e);
    if (name === '(idle)') continue;
    const f = where(n.callFrame.url);
    byFile.set(f, (byFile.get(f) ?? 0) + ms);
  }
  const idle = [...byFn.values()].filter((e) => e.name === '(idle)').reduce((a, e) => a + e.ms, 0);
  const busy = total - idle;
  // Percent of the busy (non-idle) time: the harness sleeps 3 s per row, which would dilute it.
  const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1)}%`;
  console.log(`\n## ${file}: ${total.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms busy (not idle)\n`);
  console.log(
    markdownTable(
      ['function', 'location', 'self ms', '% of busy'],
      [...byFn.values()]
        .filter((e) => e.name !== '(idle)')
        .sort((a, b) => b.ms - a.ms)
        .slice(0, top)
        .map((e) => [e.name, e.loc, e.ms.toFixed(1), pct(e.ms)]),
    ),
  );
  console.log('\nBy file:\n');
  console.log(
    markdownTable(
      ['file', 'self ms', '% of busy'],
      [...byFile.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([f, ms]) => [f, ms.toFixed(1), pct(ms)]),
    ),
  );
}
