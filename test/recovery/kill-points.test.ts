/**
 * Crash recovery at chosen moments (SPEC §6): a child process runs every flow of
 * kill-points-flows.ts (retries with backoff, a step timeout, a `delay` step, a parallel step, a
 * loop, a saga, a workflow timeout, cancellation through the store and through the engine, an
 * idempotency key; more executions than slots, so some wait as `pending`) on one SQLite file and
 * sends itself SIGKILL at its k-th "point" (a handler entry or exit, an engine event): at once, one
 * event-loop turn later, or 3 ms later. Some runs are killed again while a second child resumes.
 * A new orchestrator on the file then finishes everything, and kill-points-checks.ts checks the
 * invariants: every accepted execution ends as its flow must; no step or compensation stored as
 * completed runs again; an interrupted step runs again under its idempotency key; compensations
 * run for completed steps only, in reverse completion order; stored retry times and timers hold;
 * the status and the metrics agree with the records. (kill.test.ts kills once, at a random
 * moment, under load.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, type ExecutionStatus, SqliteStore } from '../../src/index.js';
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { runTsChild } from '../helpers/child.js';
import { checkExecutions, checkNoRerun } from './kill-points-checks.js';
import { FLOWS, handlers, IDEM_KEY, type LedgerLine, ledgerWriter } from './kill-points-flows.js';

type Moment = 'now' | 'turn' | 'late';
const MOMENTS: Moment[] = ['now', 'turn', 'late'];
const CHILD = join(import.meta.dirname, 'kill-points-child.ts');
const root = mkdtempSync(join(tmpdir(), 'orch-killpoints-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function readLedger(file: string): LedgerLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LedgerLine);
}

async function runChild(store: string, ledger: string, kill: Kill, mode: 'start' | 'resume') {
  const { code, signal, out } = await runTsChild(CHILD, [store, ledger, String(kill.k), kill.when, mode]);
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`child exited ${code}: ${out}`);
  return { done: out.includes('done'), out };
}

async function snapshots(file: string): Promise<Map<string, ExecutionSnapshot>> {
  const store = new SqliteStore(file);
  await store.init();
  const all = await store.listExecutions({ limit: 1000 });
  await store.close();
  return new Map(all.map((s) => [s.execution.id, s]));
}

interface RunResult {
  done: boolean;
  problems: string[];
}

/** A kill at the k-th point of a child's run. */
interface Kill {
  k: number;
  when: Moment;
}

/**
 * Runs the flows in a child killed as `kills[0]` says, then one more child per further kill
 * that resumes the store and is killed in turn; then resumes here, and checks. Returns the
 * problems found.
 */
async function killAndResume(kills: Kill[]): Promise<RunResult> {
  const label = kills.map((c) => `${c.k}${c.when}`).join('-');
  const dir = mkdtempSync(join(root, `${label}-`));
  const file = join(dir, 'store.sqlite');
  const ledger = join(dir, 'ledger.jsonl');
  const problems: string[] = [];
  const fail = (msg: string) => problems.push(msg);
  let done = false;
  let before = new Map<string, ExecutionSnapshot>();
  let phase1: LedgerLine[] = [];
  for (const [i, kill] of kills.entries()) {
    const run = await runChild(file, ledger, kill, i === 0 ? 'start' : 'resume');
    if (i === 0) done = run.done;
    // What an earlier run stored as completed does not run again in this one.
    const lines = readLedger(ledger);
    checkNoRerun(before, lines.slice(phase1.length), fail);
    phase1 = lines;
    before = existsSync(file) ? await snapshots(file) : new Map();
  }
  const killedAt = phase1.filter((l) => l.t === 'point').pop();
  const accepted = phase1.filter((l) => l.t === 'accepted');
  for (const a of accepted) if (!before.has(a.exec!)) fail(`accepted ${a.flow} ${a.exec} not stored`);

  // Resume: a new orchestrator on the same file finishes everything.
  const write = ledgerWriter(ledger, 'resume');
  const orch = await createOrchestrator({
    store: `sqlite:${file}`,
    maxConcurrentWorkflows: 20,
    sweepInterval: 0.1,
    ...handlers(
      write,
      'resume',
      () => undefined,
      () => undefined,
    ),
  });
  const statuses = new Map<string, ExecutionStatus>();
  let idemId: string | null = null;
  try {
    for (const flow of FLOWS) {
      await orch.workflowEngine.defineWorkflow(
        flow.id,
        flow.steps,
        flow.timeout ? { timeout: flow.timeout } : undefined,
      );
    }
    for (const id of before.keys()) {
      statuses.set(id, await orch.workflowEngine.waitForCompletion(id, { timeout: 15 }));
    }
    idemId = await orch.workflowEngine.executeWorkflow('kp_idem', {}, { idempotencyKey: IDEM_KEY });
    if (!before.has(idemId)) await orch.workflowEngine.waitForCompletion(idemId, { timeout: 15 });
    // The metrics count each execution once, as it ended.
    const { executions: n } = orch.getMetrics();
    const ends = [...statuses.values()].map((st) => st.status);
    const count = (s: string) =>
      ends.filter((e) => e === s).length + (before.has(idemId!) || s !== 'completed' ? 0 : 1);
    const want = { completed: count('completed'), failed: count('failed'), cancelled: count('cancelled') };
    const got = { completed: n.completed, failed: n.failed, cancelled: n.cancelled };
    if (n.running + n.pending !== 0 || JSON.stringify(got) !== JSON.stringify(want))
      fail(`metrics ${JSON.stringify(n)}, expected ${JSON.stringify(want)}`);
  } catch (error) {
    fail(`resume: ${String(error)}`);
  } finally {
    await orch.close();
  }
  const after = await snapshots(file);
  const all = readLedger(ledger);
  const phase2 = all.slice(phase1.length);

  // Idempotency key: one execution, the one accepted before the kill.
  const idem = [...after.values()].filter((s) => s.execution.workflowId === 'kp_idem');
  if (idem.length !== 1) fail(`kp_idem has ${idem.length} executions`);
  const idemAccepted = accepted.find((a) => a.flow === 'kp_idem');
  if (idemAccepted && idemAccepted.exec !== idemId) fail('idempotency key gave another execution');

  const committed = checkNoRerun(before, phase2, fail);

  checkExecutions({ before, after, statuses, phase1, phase2, all, committed }, fail);

  if (problems.length > 0) problems.unshift(`kills ${label}, the last at ${killedAt?.what ?? ''}`);
  return { done, problems };
}

/**
 * Kill points: every 14th of a run's ~180 (every one with KILL_POINTS_STRIDE=1), each at one of
 * the three moments in turn; and two runs killed a second time while resuming (every kill point so
 * with KILL_POINTS_TWICE=1).
 */
const STRIDE = Number(process.env.KILL_POINTS_STRIDE ?? 14);
const FIRST = Number(process.env.KILL_POINTS_FIRST ?? 1);
const PARALLEL = Number(process.env.KILL_POINTS_PARALLEL ?? 3);
const MAX = Number(process.env.KILL_POINTS_MAX ?? 400);
const TWICE: Kill[][] = [
  [
    { k: 45, when: 'turn' },
    { k: 6, when: 'late' },
  ],
  [
    { k: 110, when: 'late' },
    { k: 5, when: 'now' },
  ],
];

describe('SIGKILL at chosen points of a run', () => {
  it('resumes every execution with its invariants intact', async () => {
    const problems: string[] = [];
    const plans: Kill[][] = [...TWICE];
    let next = FIRST;
    let finished = false;
    const worker = async () => {
      for (;;) {
        let plan = plans.shift();
        if (!plan) {
          if (finished || next > MAX) return;
          plan = [{ k: next, when: MOMENTS[Math.floor(next / STRIDE) % 3]! }];
          if (process.env.KILL_POINTS_TWICE) plan.push({ k: (next % 15) + 1, when: MOMENTS[next % 3]! });
          next += STRIDE;
        }
        const r = await killAndResume(plan);
        if (r.problems.length > 0) console.error(r.problems.join('\n'));
        problems.push(...r.problems);
        if (r.done) finished = true;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    expect(problems).toEqual([]);
  }, 180_000);
});
