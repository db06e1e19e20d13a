/**
 * The seeded plan of the saga crash fuzz test (saga-fuzz.test.ts), shared by the parent and the
 * child processes it kills: a small PRNG, what each execution does (which step fails for good,
 * which fails once, whose compensation fails once or for good, where it cancels itself), the workflow, and the
 * journal every handler call is appended to.
 * @module
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { StepDefinition } from '../../src/index.js';

/** The saga's steps, in order; each has the compensation `undo`. */
export const STEPS = ['s1', 's2', 's3', 's4'] as const;
export type StepName = (typeof STEPS)[number];

/** The workflow every execution runs. */
export const WORKFLOW = 'saga_fuzz';
export const SAGA: StepDefinition[] = STEPS.map((name) => ({
  name,
  action: 'work',
  compensation: 'undo',
  retry: { maxAttempts: 2, initialDelay: 0.03 },
}));

/** A deterministic PRNG (mulberry32): the same seed gives the same sequence in every process. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What one execution does: its workflow input. */
export interface ExecutionPlan {
  i: number;
  /** The step whose handler fails for good (a NonRetryableError), if any. */
  fail: StepName | null;
  /** The step whose first attempt fails (retried), if any. */
  flaky: StepName | null;
  /** The step whose compensation's first attempt fails (retried), if any. */
  compFlaky: StepName | null;
  /** The step whose compensation fails for good (a NonRetryableError), if any. */
  compDoom: StepName | null;
  /** The step whose handler asks its own engine to cancel the execution, then waits to be stopped. */
  cancelAt: StepName | null;
  /** Milliseconds each step's handler works. */
  ms: number[];
}

const pick = (rnd: () => number): StepName => STEPS[Math.floor(rnd() * STEPS.length)]!;
const maybe = (rnd: () => number, p: number): StepName | null => (rnd() < p ? pick(rnd) : null);

/** The executions of a seed, with their idempotency keys. */
export function planFor(seed: number, count: number): ExecutionPlan[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, (_, i) => ({
    i,
    fail: maybe(rnd, 0.4),
    flaky: maybe(rnd, 0.3),
    compFlaky: maybe(rnd, 0.4),
    compDoom: maybe(rnd, 0.1),
    cancelAt: maybe(rnd, 0.15),
    ms: STEPS.map(() => 5 + Math.floor(rnd() * 40)),
  }));
}

/** The idempotency key execution `i` of a seed is submitted under. */
export const submitKey = (seed: number, i: number) => `fuzz-${seed}-${i}`;

/** One line of the journal. */
export interface JournalLine {
  /** accepted | call | ok | fail | comp | comp-ok | comp-fail | comp-doom | close (`close` called) */
  t: string;
  /** Which child process (0, 1, ...) wrote it. */
  run: number;
  exec: string;
  step?: string;
  attempt?: number;
  key?: string;
  i?: number;
}

/**
 * Appends journal lines: appendFileSync is a write(2) that returns once the kernel has the bytes,
 * so a SIGKILL of the writer loses none (fsync would only matter for a power cut).
 */
export function journalWriter(file: string, run: number): (line: Omit<JournalLine, 'run'>) => void {
  return (line) => appendFileSync(file, `${JSON.stringify({ ...line, run })}\n`);
}

/** The journal's lines (the last one may be cut short by a kill only mid-write: it is dropped). */
export function readJournal(file: string): JournalLine[] {
  if (!existsSync(file)) return [];
  const out: JournalLine[] = [];
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    if (!l) continue;
    try {
      out.push(JSON.parse(l) as JournalLine);
    } catch {
      // a partial last line
    }
  }
  return out;
}
