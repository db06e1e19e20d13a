/**
 * Saga crash fuzz (SPEC §3 "Saga", §6): for each of a fixed list of seeds, a child process runs
 * 30 executions of a 4-step saga on one SQLite file (some fail for good at a step, some fail once
 * and retry, some have a compensation that fails once or for good, some cancel themselves at a
 * step), while the parent asks through the store (as `orchestrator cancel` does) to cancel a few.
 * When the journal of handler calls reaches a seeded length (plus a seeded delay) the child is
 * stopped: mostly by SIGKILL, sometimes by SIGTERM, on which it calls `close` with a seeded grace.
 * While no process runs, the parent asks to cancel a few more; a new child resumes the file and is
 * stopped in turn, a seeded number of times; a last one finishes everything. The checks
 * (saga-fuzz-checks.ts): each submission has one execution, which ends as its plan and the
 * cancellations say; nothing stored as completed (a step, a compensation) runs again in a later
 * process; a step runs again only under its idempotency key; no step starts once compensation
 * began, and neither starts once `close` was called; compensations run for exactly the completed
 * steps, in reverse order of completion, each to success (or stored failed, the one planned so).
 * Knobs to hunt further: SAGA_FUZZ_SEEDS=1,2,3, SAGA_FUZZ_KILLS=6 (stops per seed),
 * SAGA_FUZZ_DEBUG=1 (where each stop came), SAGA_FUZZ_KEEP=1 (keep the files in the temp dir),
 * SAGA_FUZZ_BUDGET_MS=150000 (each seed's time, 30 s by default).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/index.js';
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { type Phase, withinBudget } from '../helpers/budget.js';
import { checkFuzzRun } from './saga-fuzz-checks.js';
import { type JournalLine, planFor, prng, readJournal } from './saga-fuzz-plan.js';

const CHILD = join(import.meta.dirname, 'saga-fuzz-child.ts');
const COUNT = 30;
/**
 * Each seed's share of the test's time; SAGA_FUZZ_BUDGET_MS sets another (on a machine so loaded
 * that a child's start alone takes seconds, three or four of them per seed spend the default).
 */
const BUDGET_MS = Number(process.env.SAGA_FUZZ_BUDGET_MS ?? 30_000);
const SEEDS = (process.env.SAGA_FUZZ_SEEDS ?? '11,23,37,42').split(',').map(Number);
const root = mkdtempSync(join(tmpdir(), 'orch-saga-fuzz-'));
afterAll(() => {
  if (!process.env.SAGA_FUZZ_KEEP) rmSync(root, { recursive: true, force: true });
});

/** What the fuzz is at, for the report of a spent budget (see `overrunReport`). */
const phase: Phase = { now: 'starting' };
const at: { seed: number; file: string; journal: string; run: number; child: Child | null } = {
  seed: 0,
  file: '',
  journal: '',
  run: 0,
  child: null,
};

interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  at.child = { child, output: () => out, exited };
  return at.child;
}

/** Handler calls of run `run` begun and not ended, as the journal has them. */
function openCalls(lines: JournalLine[], run: number): string[] {
  const open = new Set<string>();
  for (const l of lines.filter((x) => x.run === run)) {
    const call = `${l.t.startsWith('comp') ? 'comp' : 'call'} ${l.key}#${l.attempt}`;
    if (l.t === 'call' || l.t === 'comp') open.add(call);
    else open.delete(call);
  }
  return [...open];
}

/**
 * What the fuzz was waiting for when its budget ran out: the seed and run, the executions the store
 * has unfinished (with their steps not completed), the calls open, the last journal lines and the
 * child's output.
 */
async function overrunReport(): Promise<string> {
  const lines = at.journal ? readJournal(at.journal) : [];
  let unfinished = '(no store yet)';
  if (at.file) {
    const snaps = [...(await readStore(at.file)).values()].filter(
      (x) => !['completed', 'failed', 'cancelled'].includes(x.execution.status),
    );
    unfinished = `${snaps.length}: ${snaps
      .slice(0, 10)
      .map(
        (x) =>
          `${x.execution.id} ${x.execution.status} [${x.steps
            .filter((st) => st.status !== 'completed')
            .map((st) => `${st.name}:${st.status}`)
            .join(' ')}]`,
      )
      .join('; ')}`;
  }
  return [
    `seed ${at.seed} run ${at.run}; executions unfinished in the store ${unfinished}`,
    `calls open in run ${at.run}: ${openCalls(lines, at.run).join(', ') || 'none'}`,
    `journal (${lines.length} lines), the last: ${lines
      .slice(-5)
      .map((l) => JSON.stringify(l))
      .join(' ')}`,
    `child output: ${at.child?.output().slice(-1500) ?? '(none)'}`,
  ].join('\n');
}

/** A cancellation the parent asks for through the store while a child runs. */
interface LiveCancel {
  /** Journal length from which it is asked. */
  at: number;
  /** The execution's index in the plan (asked once that execution is accepted). */
  i: number;
  done?: boolean;
}

/**
 * Polls the journal until it holds `target` lines or the child exits, asking for the `live`
 * cancellations meanwhile; throws after `ms`.
 */
async function runUntil(
  c: Child,
  journal: string,
  target: number,
  live: LiveCancel[],
  cancel: (id: string) => Promise<void>,
  ms = 30_000,
): Promise<void> {
  const end = Date.now() + ms;
  const first = readJournal(journal).length;
  // When the journal last grew: a child that went on slowly (starved on a loaded machine) tells
  // apart from one whose executions stopped moving.
  let seen = first;
  let grewAt = Date.now();
  for (;;) {
    const lines = readJournal(journal);
    if (lines.length >= target || c.child.exitCode !== null || c.child.signalCode !== null) return;
    if (lines.length > seen) {
      seen = lines.length;
      grewAt = Date.now();
    }
    for (const l of live) {
      const accepted = lines.find((a) => a.t === 'accepted' && a.i === l.i);
      if (l.done || lines.length < l.at || !accepted) continue;
      l.done = true;
      await cancel(accepted.exec);
    }
    if (Date.now() > end) {
      // Not left running on into the next seed.
      c.child.kill('SIGKILL');
      throw new Error(
        `timed out waiting for journal line ${target}: ${lines.length} lines (${first} when this run began), ` +
          `the last written ${Date.now() - grewAt} ms ago: ${JSON.stringify(lines.at(-1))}; output: ${c.output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function readStore(file: string): Promise<Map<string, ExecutionSnapshot>> {
  const store = new SqliteStore(file);
  await store.init();
  const all = await store.listExecutions({ limit: 1000 });
  await store.close();
  return new Map(all.map((s) => [s.execution.id, s]));
}

/** With SAGA_FUZZ_DEBUG set, says where a kill came: the statuses stored and the calls open. */
function debugKill(
  seed: number,
  run: number,
  snap: Map<string, ExecutionSnapshot>,
  lines: JournalLine[],
): void {
  const count = new Map<string, number>();
  for (const s of snap.values()) count.set(s.execution.status, (count.get(s.execution.status) ?? 0) + 1);
  console.log(
    `seed ${seed} run ${run}: ${JSON.stringify(Object.fromEntries(count))}; open: ${openCalls(lines, run).join(', ')}`,
  );
}

async function fuzz(seed: number): Promise<string[]> {
  const dir = mkdtempSync(join(root, `seed-${seed}-`));
  const file = join(dir, 'store.sqlite');
  const journal = join(dir, 'journal.jsonl');
  Object.assign(at, { seed, file, journal, run: 0, child: null });
  const rnd = prng(seed * 7919);
  const kills = Number(process.env.SAGA_FUZZ_KILLS ?? 2 + Math.floor(rnd() * 2));
  const afterRun: Map<string, ExecutionSnapshot>[] = [];
  const storeCancelled = new Set<string>();
  const problems: string[] = [];
  // The parent's own connection, opened once a child made the file (as `orchestrator cancel`).
  let store: SqliteStore | null = null;
  const cancel = async (id: string) => {
    if (!store) {
      store = new SqliteStore(file);
      await store.init();
    }
    if (await store.requestCancel(id)) storeCancelled.add(id);
  };
  let run = 0;
  for (; run < kills; run++) {
    const start = readJournal(journal).length;
    const target = start + 10 + Math.floor(rnd() * COUNT * 3);
    const delayMs = Math.floor(rnd() * 15);
    const live = [0, 1].map(() => ({
      at: start + Math.floor(rnd() * (target - start)),
      i: Math.floor(rnd() * COUNT),
    }));
    // Most runs end in SIGKILL; some in a clean close (SIGTERM), with or without a grace.
    const close = rnd() < 0.25;
    const grace = [0, 0.05, 1][Math.floor(rnd() * 3)]!;
    at.run = run;
    const c = startChild([file, journal, String(seed), String(COUNT), String(run), String(grace)]);
    phase.now = `seed ${seed} run ${run} waited for journal line ${target}`;
    await runUntil(c, journal, target, live, cancel);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    c.child.kill(close ? 'SIGTERM' : 'SIGKILL');
    if (process.env.SAGA_FUZZ_DEBUG)
      console.log(`seed ${seed} run ${run} stop ${close ? `close grace ${grace}` : 'kill'}`);
    const hung = setTimeout(() => {
      problems.push(`seed ${seed}: run ${run} did not close within 15 s`);
      c.child.kill('SIGKILL');
    }, 15_000);
    phase.now = `seed ${seed} run ${run} waited for the child to exit after ${close ? 'SIGTERM' : 'SIGKILL'}`;
    const { code, signal } = await c.exited;
    clearTimeout(hung);
    if (signal === null && code !== 0)
      throw new Error(`seed ${seed} run ${run} exited ${code}: ${c.output()}`);
    if (c.output().includes('done')) {
      // It finished everything before the kill came.
      afterRun.push(await readStore(file));
      run++;
      break;
    }
    const snap = await readStore(file);
    afterRun.push(snap);
    if (process.env.SAGA_FUZZ_DEBUG) debugKill(seed, run, snap, readJournal(journal));
    // Cancel requests stored while no process runs.
    for (const id of snap.keys()) if (rnd() < 0.1) await cancel(id);
  }
  await (store as SqliteStore | null)?.close();
  at.run = run;
  const last = startChild([file, journal, String(seed), String(COUNT), String(run)]);
  phase.now = `seed ${seed}: the last run (${run}) waited for every execution to end`;
  const end = await last.exited;
  if (end.code !== 0 || !last.output().includes('done'))
    throw new Error(`seed ${seed} last run exited ${end.code}: ${last.output()}`);
  const final = await readStore(file);
  if (process.env.SAGA_FUZZ_DEBUG) {
    const ends = [...final.values()].map(
      (x) => `${x.execution.status}:${x.execution.error?.code ?? ''}:${x.execution.compensatedSteps.length}`,
    );
    const closes = readJournal(journal).filter((l) => l.t === 'close').length;
    console.log(`seed ${seed} runs ${run + 1} closes ${closes} ends ${JSON.stringify(ends.sort())}`);
  }
  checkFuzzRun(
    {
      plans: planFor(seed, COUNT),
      journal: readJournal(journal),
      afterRun,
      final,
      storeCancelled,
    },
    (msg) => problems.push(`seed ${seed}: ${msg}`),
  );
  return problems;
}

describe('saga crash fuzz: SIGKILL at seeded moments, cancellations while down', () => {
  it(
    'ends every execution as planned, compensating completed steps once each in reverse order',
    async () => {
      const problems: string[] = [];
      const all = (async () => {
        for (const seed of SEEDS) problems.push(...(await fuzz(seed)));
      })();
      await withinBudget(all, SEEDS.length * BUDGET_MS, phase, overrunReport, () =>
        at.child?.child.kill('SIGKILL'),
      );
      expect(problems).toEqual([]);
    },
    // Beyond the budget: time for its report.
    SEEDS.length * BUDGET_MS + 15_000,
  );
});
