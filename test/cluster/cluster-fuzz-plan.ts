/**
 * The seeded plan of the cluster chaos fuzz test (cluster-fuzz.test.ts), shared by the parent and
 * the node processes: the three workflows, what each execution does (its workflow, the node it is
 * submitted to, when, its idempotency key and whether that key is retried on another node, which
 * step fails for good or once, whether it is cancelled), the chaos events (SIGKILL, SIGSTOP past
 * the lease, graceful close; each followed by a restart), and the journal every handler call is
 * appended to.
 * @module
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { ActionStepDefinition, StepDefinition } from '../../src/index.js';
import { prng } from '../recovery/saga-fuzz-plan.js';

export { prng };

/** Node labels; a restarted node keeps its label (a new process, a new node id). */
export const LABELS = ['a', 'b', 'c'] as const;

const retry = { maxAttempts: 2, initialDelay: 0.05 };
const step = (name: string, compensated: boolean): ActionStepDefinition => ({
  name,
  action: 'fz',
  retry,
  ...(compensated ? { compensation: 'fz_undo' } : {}),
});

/** The workflows, by id; every action step runs the handler `fz`, every compensation `fz_undo`. */
export const WORKFLOWS: Record<string, StepDefinition[]> = {
  fz_seq: [step('s1', false), step('s2', false), step('s3', false)],
  fz_par: [
    step('s1', false),
    { name: 'fan', parallel: [step('p1', false), step('p2', false), step('p3', false)] },
    step('s2', false),
  ],
  fz_saga: [
    step('s1', true),
    { name: 'fan', compensation: 'fz_undo', parallel: [step('p1', true), step('p2', true)] },
    step('s2', true),
    step('s3', true),
  ],
};

/** The action steps of each workflow, with the steps whose start proves them committed. */
export const ORDER: Record<string, { step: string; after: string[] }[]> = {
  fz_seq: [
    { step: 's1', after: [] },
    { step: 's2', after: ['s1'] },
    { step: 's3', after: ['s2'] },
  ],
  fz_par: [
    { step: 's1', after: [] },
    { step: 'p1', after: ['s1'] },
    { step: 'p2', after: ['s1'] },
    { step: 'p3', after: ['s1'] },
    { step: 's2', after: ['p1', 'p2', 'p3'] },
  ],
  fz_saga: [
    { step: 's1', after: [] },
    { step: 'p1', after: ['s1'] },
    { step: 'p2', after: ['s1'] },
    { step: 's2', after: ['p1', 'p2'] },
    { step: 's3', after: ['s2'] },
  ],
};

/** What one execution does. `ms`, `failAt` and `flaky` are its workflow input, read by `fz`. */
export interface ExecPlan {
  i: number;
  workflow: keyof typeof ORDER & string;
  /** Milliseconds after the start of the run it is submitted at. */
  at: number;
  /** Index in LABELS of the node it is submitted to (the next live one if that one is down). */
  node: number;
  /** Its idempotency key, if it has one. */
  key: string | null;
  /** Milliseconds after the first submission's answer the same key is sent to another node (null: not retried). */
  retryAfter: number | null;
  /** Milliseconds after submission a cancel is sent to a random node (null: not cancelled). */
  cancelAfter: number | null;
  /** The action step that fails for good (NonRetryableError, code BOOM). */
  failAt: string | null;
  /** The action step whose first attempt fails (retried). */
  flaky: string | null;
  /** How long each step's handler works. */
  ms: number;
}

/** A chaos event, run one after the other from `at` on. */
export interface ChaosEvent {
  kind: 'kill' | 'stop' | 'close';
  at: number;
  node: number;
  /**
   * kill: milliseconds down before the restart; close: the grace in seconds; stop: milliseconds
   * stopped, within the lease (0: until the others took its executions over, past the lease).
   */
  param: number;
}

export interface SeedPlan {
  seed: number;
  /** Whether `fz` stops when its signal aborts, or runs on to its end (a late result to fence). */
  honourAbort: boolean;
  execs: ExecPlan[];
  chaos: ChaosEvent[];
}

/** The plan of a seed: `count` executions submitted over about `spanMs`, and `events` chaos events. */
export function seedPlan(seed: number, count: number, spanMs: number, events = 3): SeedPlan {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const execs: ExecPlan[] = [];
  // Submissions come in bursts, so that many executions are under way at a time.
  const bursts = Array.from({ length: 5 }, () => int(0, spanMs));
  for (let i = 0; i < count; i++) {
    const r = rnd();
    const workflow = r < 0.35 ? 'fz_seq' : r < 0.65 ? 'fz_par' : 'fz_saga';
    const steps = ORDER[workflow]!.map((s) => s.step);
    const failP = workflow === 'fz_saga' ? 0.7 : 0.1;
    const keyed = rnd() < 0.75;
    execs.push({
      i,
      workflow,
      at: Math.max(0, pick(bursts) + int(-400, 400)),
      node: int(0, 2),
      key: keyed ? `fz-${seed}-${i}` : null,
      retryAfter: keyed && rnd() < 0.4 ? pick([0, 0, 50, 300, 1200]) : null,
      cancelAfter: rnd() < 0.15 ? int(50, 1500) : null,
      failAt: rnd() < failP ? pick(steps) : null,
      flaky: rnd() < 0.25 ? pick(steps) : null,
      ms: int(80, 400),
    });
  }
  execs.sort((x, y) => x.at - y.at);
  // Each kind once, in a seeded order; `events` above three adds seeded ones.
  const kinds: ChaosEvent['kind'][] = ['kill', 'stop', 'close'];
  for (let k = kinds.length - 1; k > 0; k--) {
    const j = int(0, k);
    [kinds[k], kinds[j]] = [kinds[j]!, kinds[k]!];
  }
  while (kinds.length < events) kinds.push(pick(['kill', 'stop', 'close'] as const));
  const slot = spanMs / (kinds.length + 1);
  const chaos = kinds.map((kind, k) => ({
    kind,
    at: int(Math.floor(slot * k), Math.floor(slot * (k + 1))),
    node: int(0, 2),
    param: kind === 'kill' ? int(200, 1500) : kind === 'close' ? pick([0, 0.3, 2]) : pick([0, 0, 800]),
  }));
  return { seed, honourAbort: rnd() < 0.5, execs, chaos };
}

/** One line of the journal. */
export interface JournalLine {
  /**
   * A handler's run: start | end | fail | abort (its signal aborted); a compensation's: cstart |
   * cend; `close` (the node was asked to close); `resumed` (it runs again after a SIGSTOP); the
   * parent's chaos and submission notes: kill | stop | cont | closed | up.
   */
  t: string;
  label: string;
  pid: number;
  at: number;
  exec?: string;
  step?: string;
  attempt?: number;
  key?: string;
  /** A run's token (unique per handler call), returned as the step's output. */
  tok?: string;
}

/** Appends one line; appendFileSync is one write(2), which a SIGKILL or SIGSTOP cannot split. */
export function writeJournal(file: string, line: JournalLine): void {
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/**
 * The journal's whole lines, in the order they were written. A read while a process appends can
 * see the start of its line only (one write(2) is atomic for other writers, not for a reader):
 * what follows the last newline is left for the next read.
 */
export function readJournal(file: string): JournalLine[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  const out: JournalLine[] = [];
  for (const l of lines) {
    if (l) out.push(JSON.parse(l) as JournalLine);
  }
  return out;
}
